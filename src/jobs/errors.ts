/**
 * How a job handler tells the runner what kind of failure it met. Adapters throw their own typed errors
 * (e.g. ChannelApiError) carrying `retryable` and `retryAfterMs`; the runner reads only those two fields.
 */
export interface ClassifiedError {
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  readonly hint?: string;
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

export interface Classification {
  permanent: boolean;
  retryAfterMs: number;
  message: string;
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
  };
}
