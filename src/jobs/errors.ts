/**
 * How a job handler tells the runner what kind of failure it met. Adapters throw their own typed errors
 * (e.g. ChannelApiError) carrying `retryable` and `retryAfterMs`; the runner reads only those two fields.
 */
export interface ClassifiedError {
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  readonly hint?: string;
  /**
   * Set when the destination refused for its rate limit (Telegram 429, Graph 130429 / 131056): the runner blocks
   * the job's budget of this scope (or its first budget when the scope is absent or unknown) for `retryAfterMs`.
   */
  readonly rateLimitScope?: string;
}

/** A failure that will not go away by retrying (bad request, revoked token, customer outside the window). */
export class PermanentJobError extends Error implements ClassifiedError {
  readonly retryable = false;
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'PermanentJobError';
    this.hint = hint;
  }
}

/** A failure that may clear by itself (timeout, 5xx, rate limit); `retryAfterMs` is the earliest sensible retry. */
export class TransientJobError extends Error implements ClassifiedError {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'TransientJobError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** The destination said "too many requests": the job waits for its budget, which the runner moves for every job. */
export class RateLimitedJobError extends TransientJobError {
  readonly rateLimitScope: string;

  constructor(message: string, retryAfterMs: number, scope = '') {
    super(message, retryAfterMs);
    this.name = 'RateLimitedJobError';
    this.rateLimitScope = scope;
  }
}

export interface Classification {
  permanent: boolean;
  retryAfterMs: number;
  message: string;
  /** The budget scope a rate limit hit ('' for the job's first budget); absent when it was no rate limit. */
  rateLimitScope?: string;
}

/** Anything not marked `retryable: false` is transient: an unknown error is worth another try, up to max attempts. */
export function classify(err: unknown): Classification {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ClassifiedError & { message?: unknown; name?: unknown };
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const hint = typeof e.hint === 'string' && e.hint ? ` (fix: ${e.hint})` : '';
  return {
    permanent: e.retryable === false,
    retryAfterMs: typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0 ? e.retryAfterMs : 0,
    message: `${message}${hint}`.slice(0, 2000),
    ...(typeof e.rateLimitScope === 'string' ? { rateLimitScope: e.rateLimitScope } : {}),
  };
}
