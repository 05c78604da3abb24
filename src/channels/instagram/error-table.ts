import { ChannelApiError, type ChannelFailureReason } from '../errors.js';
import { parseRetryAfter } from '../whatsapp/error-table.js';

/** Instagram's window subcode (PROTOCOLS.md §3: code 10 or subcode 2534022, unconfirmed which; both mean closed). */
export const WINDOW_SUBCODE = 2534022;

const HINTS: Record<ChannelFailureReason, string> = {
  window_closed: 'more than 7 days since the customer last wrote on Instagram: Instagram accepts no reply until the customer writes again',
  undeliverable: 'the Instagram user cannot be reached (account gone or messages restricted): reach them another way',
  token_invalid: "the tenant's Instagram access token expired or was revoked: run `botctl tenant update <slug> --instagram-token <new token>`",
  bad_request: 'Instagram refused the request as invalid: a botctl bug or a wrong tenant setting; report it with this error',
  rate_limited: 'Instagram rate limit reached (about 200 messages an hour per customer): the message is retried after the wait',
  transient: 'Instagram failed temporarily: the message is retried with backoff',
};

/** Classifies a non-2xx answer of the Instagram messaging API, like WhatsApp's by `error.code` (and subcode). */
export function classifyInstagramError(httpStatus: number, text: string, retryAfterHeader?: string | null): ChannelApiError {
  let error: { code?: unknown; error_subcode?: unknown; message?: unknown; fbtrace_id?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code = typeof error?.code === 'number' ? error.code : null;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
  const { reason, retryable, waitMs } = rule(httpStatus, code, subcode);
  const headerMs = parseRetryAfter(retryAfterHeader);
  const said = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
  return new ChannelApiError({
    message: `Instagram API error ${code ?? 'none'}${subcode ? `/${subcode}` : ''} (HTTP ${httpStatus}): ${said}`,
    httpStatus, code, reason, retryable, hint: HINTS[reason],
    ...(retryable && (headerMs ?? waitMs) !== undefined ? { retryAfterMs: headerMs ?? waitMs } : {}),
    fbtraceId: typeof error?.fbtrace_id === 'string' ? error.fbtrace_id : null,
  });
}

function rule(httpStatus: number, code: number | null, subcode: number | null): { reason: ChannelFailureReason; retryable: boolean; waitMs?: number } {
  if (subcode === WINDOW_SUBCODE || code === 10) return { reason: 'window_closed', retryable: false };
  if (code === 190) return { reason: 'token_invalid', retryable: false };
  if (code === 551 || code === 200) return { reason: 'undeliverable', retryable: false };
  if (code === 613 || code === 4 || code === 32 || httpStatus === 429) return { reason: 'rate_limited', retryable: true, waitMs: 60_000 };
  if (code === 100) return { reason: 'bad_request', retryable: false };
  if (code === 1 || code === 2 || httpStatus >= 500 || httpStatus === 408) return { reason: 'transient', retryable: true };
  if (httpStatus === 401) return { reason: 'token_invalid', retryable: false };
  return { reason: 'bad_request', retryable: false };
}
