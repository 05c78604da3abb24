import type { RetryPolicy } from '../jobs/retry-policy.js';

/**
 * How webhook deliveries are retried. Full-jitter backoff from 30 s, capped at 2 h, 16 attempts: the expected
 * span before giving up is about 9 hours (the sum of half of each ceiling), so a receiver down for an hour or a
 * night gets everything afterwards. Every non-2xx answer and every network error is retried; after the last
 * attempt the delivery is `failed`, its endpoint `failing`, and `botctl watch` alerts once.
 */
export const WEBHOOK_POLICY: RetryPolicy = { maxAttempts: 16, baseDelayMs: 30_000, maxDelayMs: 2 * 60 * 60_000, timeoutMs: 20_000 };
/** One POST to a receiver may take this long. */
export const WEBHOOK_REQUEST_TIMEOUT_MS = 10_000;
/** How long the previous secret keeps signing after a rotation, unless the operator says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

/** Deliveries of one endpoint about one contact run one at a time, in the order of their events. */
export const webhookOrderKey = (endpointId: number, contactId: number | null) => `webhook:${endpointId}:${contactId === null ? 'tenant' : `contact:${contactId}`}`;

export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}
