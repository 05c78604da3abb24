import { z } from 'zod';
import { ChannelApiError, type ChannelFailureReason } from '../errors.js';

interface Rule {
  reason: ChannelFailureReason;
  retryable: boolean;
  /** Wait used when a rate limit comes without Retry-After: Meta's windows are about 1 s, 6 s and 1 min. */
  minRetryAfterMs?: number;
}

const HINTS: Record<ChannelFailureReason, string> = {
  window_closed: 'more than 24 hours since the customer last wrote: the customer must write first, or send an approved template',
  undeliverable: 'the recipient cannot receive WhatsApp messages (not on WhatsApp, or an old app): reach them another way',
  token_invalid:
    "the tenant's WhatsApp access token expired or was revoked: create a new system-user token and run " +
    '`botctl tenant update <slug> --whatsapp-token <new token>`',
  bad_request: 'WhatsApp refused the request as invalid: a botctl bug or a wrong tenant setting; report it with this error',
  rate_limited: 'WhatsApp throughput limit reached: the message is retried after the wait',
  transient: 'WhatsApp failed temporarily: the message is retried with backoff',
};

// Decide by error.code, not HTTP status (PROTOCOLS.md §1 "Errors").
const BY_CODE: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [131047, { reason: 'window_closed', retryable: false }],
  [131026, { reason: 'undeliverable', retryable: false }],
  [190, { reason: 'token_invalid', retryable: false }],
  [100, { reason: 'bad_request', retryable: false }],
  [130429, { reason: 'rate_limited', retryable: true, minRetryAfterMs: 1_000 }], // per-number throughput (per second)
  [131056, { reason: 'rate_limited', retryable: true, minRetryAfterMs: 6_000 }], // pair limit: ~1 msg / 6 s to one user
  [4, { reason: 'rate_limited', retryable: true, minRetryAfterMs: 60_000 }], // app-level call limit
  [80007, { reason: 'rate_limited', retryable: true, minRetryAfterMs: 60_000 }], // WABA-level limit
  [131000, { reason: 'transient', retryable: true }],
  [131016, { reason: 'transient', retryable: true }],
  [2, { reason: 'transient', retryable: true }],
  [131057, { reason: 'transient', retryable: true }], // account in maintenance mode
]);

const envelopeSchema = z.object({
  error: z.object({
    code: z.number(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
    fbtrace_id: z.string().optional(),
  }),
});

/**
 * Classifies a non-2xx Graph API answer. `body` is the parsed JSON or the raw text. The message names the code
 * and Graph's own words; the caller must have removed the token from `body` (Graph does not echo it).
 */
export function classifyGraphError(httpStatus: number, body: unknown, retryAfterHeader?: string | null): ChannelApiError {
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  const envelope = envelopeSchema.safeParse(typeof body === 'string' ? tryJson(body) : body);
  if (!envelope.success) {
    const rule = byStatus(httpStatus);
    return new ChannelApiError({
      message: `WhatsApp API answered HTTP ${httpStatus} without a Graph error: ${snippet(body)}`,
      httpStatus,
      code: null,
      reason: rule.reason,
      retryable: rule.retryable,
      ...retryWait(rule, retryAfterMs),
      hint: HINTS[rule.reason],
    });
  }
  const { code, message, error_data: data, fbtrace_id: fbtraceId } = envelope.data.error;
  const rule = BY_CODE.get(code) ?? byStatus(httpStatus);
  const details = data?.details && data.details !== message ? ` (${data.details})` : '';
  return new ChannelApiError({
    message: `WhatsApp API error ${code} (HTTP ${httpStatus}): ${message ?? 'no message'}${details}`,
    httpStatus,
    code,
    reason: rule.reason,
    retryable: rule.retryable,
    ...retryWait(rule, retryAfterMs),
    hint: HINTS[rule.reason],
    fbtraceId: fbtraceId ?? null,
  });
}

/** Unknown codes and bodies that are not Graph's envelope (a proxy's 502 page, a bare 429). */
function byStatus(httpStatus: number): Rule {
  if (httpStatus === 429) return { reason: 'rate_limited', retryable: true, minRetryAfterMs: 1_000 };
  if (httpStatus >= 500 || httpStatus === 408) return { reason: 'transient', retryable: true };
  if (httpStatus === 401) return { reason: 'token_invalid', retryable: false };
  return { reason: 'bad_request', retryable: false };
}

function retryWait(rule: Rule, headerMs: number | undefined): { retryAfterMs?: number } {
  if (!rule.retryable) return {};
  const ms = headerMs ?? rule.minRetryAfterMs;
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Unparseable → undefined. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // HTTP-dates start with the day name; Date.parse alone would read "-3" as the year -3.
  if (!/^[A-Za-z]{3},? /.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body) ?? String(body);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty body)' : flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
