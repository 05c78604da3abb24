/** How a kind of job is retried. Delays use exponential backoff with full jitter, capped. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A handler running longer than this is aborted and counted as a transient failure. */
  timeoutMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 10 * 60_000, timeoutMs: 60_000 };

/**
 * Delay before attempt `attempt + 1`, after `attempt` failures: uniform in [0, min(cap, base·2^(attempt−1))]
 * ("full jitter"), so many jobs failing together do not retry together. Never earlier than `retryAfterMs`.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, Math.floor(random() * ceiling));
}
