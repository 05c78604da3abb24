/**
 * Errors of a channel's remote API, classified once here so only the job runner decides retries
 * (it reads `retryable` and `retryAfterMs`). `reason` is what the conversation core acts on.
 */
export type ChannelFailureReason =
  | 'window_closed'   // outside the 24-hour customer service window: only templates may be sent
  | 'undeliverable'   // recipient cannot receive (not on WhatsApp, old client)
  | 'token_invalid'   // the tenant's access token expired or was revoked
  | 'bad_request'     // our request is wrong: a bug to fix
  | 'rate_limited'    // throughput, pair or account limit: retry later
  | 'transient';      // the provider failed: retry with backoff

export class ChannelApiError extends Error {
  readonly httpStatus: number;
  readonly code: number | null;
  readonly reason: ChannelFailureReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** What a person should do about it, in plain words. */
  readonly hint: string;
  readonly fbtraceId: string | null;
  /**
   * For a rate limit, which budget it hit (src/channels/whatsapp/budgets.ts): the customer pair for Graph 131056,
   * the number otherwise. The job runner blocks that budget for `retryAfterMs`.
   */
  readonly rateLimitScope: string | undefined;

  constructor(init: {
    message: string; httpStatus: number; code: number | null; reason: ChannelFailureReason; retryable: boolean;
    retryAfterMs?: number; hint: string; fbtraceId?: string | null;
  }) {
    super(init.message);
    this.name = 'ChannelApiError';
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.hint = init.hint;
    this.fbtraceId = init.fbtraceId ?? null;
    this.rateLimitScope = init.reason === 'rate_limited' ? (init.code === 131056 ? 'pair' : 'number') : undefined;
  }
}

/** The request never got an answer (DNS, refused, reset, timeout). Always retryable. */
export class TransportError extends Error {
  readonly retryable = true;
  readonly hint = 'the API did not answer; it is retried with backoff';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** A webhook body that is JSON but not a shape this channel sends. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}
