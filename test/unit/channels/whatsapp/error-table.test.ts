import { describe, expect, test } from 'vitest';
import { ChannelApiError, type ChannelFailureReason } from '../../../../src/channels/errors.js';
import { classifyGraphError, parseRetryAfter } from '../../../../src/channels/whatsapp/error-table.js';
import { graphError, statusForCode } from '../../../fakes/whatsapp.js';

type Row = [code: number, reason: ChannelFailureReason, retryable: boolean, retryAfterMs: number | undefined];

// Graph's envelope as the simulator writes it (same shape as Meta's), at the HTTP status Meta uses for the code.
const TABLE: Row[] = [
  [131047, 'window_closed', false, undefined],
  [131026, 'undeliverable', false, undefined],
  [190, 'token_invalid', false, undefined],
  [100, 'bad_request', false, undefined],
  [130429, 'rate_limited', true, 1_000],
  [131056, 'rate_limited', true, 6_000],
  [4, 'rate_limited', true, 60_000],
  [80007, 'rate_limited', true, 60_000],
  [131000, 'transient', true, undefined],
  [131016, 'transient', true, undefined],
  [2, 'transient', true, undefined],
  [131057, 'transient', true, undefined],
];

describe('classifyGraphError', () => {
  test.each(TABLE)('code %i → %s, retryable %s, wait %s', (code, reason, retryable, retryAfterMs) => {
    const status = statusForCode(code);
    const err = classifyGraphError(status, graphError(code));
    expect(err).toBeInstanceOf(ChannelApiError);
    expect(err).toMatchObject({ code, reason, retryable, retryAfterMs, httpStatus: status });
    expect(err.message).toContain(String(code));
    expect(err.message).toContain(graphError(code).error.message);
    expect(err.hint.length).toBeGreaterThan(10);
    expect(err.fbtraceId).toMatch(/\S+/);
  });

  test('the code decides, not the HTTP status: 131047 on a 500 is still window_closed', () => {
    expect(classifyGraphError(500, graphError(131047))).toMatchObject({ reason: 'window_closed', retryable: false });
  });

  test('window_closed and token_invalid hints say what to do', () => {
    expect(classifyGraphError(400, graphError(131047)).hint).toBe(
      'more than 24 hours since the customer last wrote: the customer must write first, or send an approved template',
    );
    expect(classifyGraphError(401, graphError(190)).hint).toContain('botctl tenant update <slug> --whatsapp-token');
  });

  test('the message carries Graph message and error_data.details', () => {
    const err = classifyGraphError(400, graphError(100, '(#100) Invalid parameter', 'text.body is too long'));
    expect(err.message).toBe('WhatsApp API error 100 (HTTP 400): (#100) Invalid parameter (text.body is too long)');
  });

  test('Retry-After wins over the minimum, in seconds or as an HTTP date', () => {
    expect(classifyGraphError(429, graphError(130429), '7').retryAfterMs).toBe(7_000);
    expect(classifyGraphError(400, graphError(131056), '0.5').retryAfterMs).toBe(500);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(classifyGraphError(400, graphError(4), inTenSeconds).retryAfterMs).toBeGreaterThan(8_000);
    expect(classifyGraphError(400, graphError(4), 'soon').retryAfterMs).toBe(60_000);
    expect(classifyGraphError(503, graphError(131016), '3').retryAfterMs).toBe(3_000);
    // A wait means nothing for errors that are never retried.
    expect(classifyGraphError(400, graphError(131047), '30').retryAfterMs).toBeUndefined();
  });

  test.each<[string, number, number, ChannelFailureReason, boolean]>([
    ['unknown code on a 4xx', 400, 131999, 'bad_request', false],
    ['unknown code on a 5xx', 502, 131999, 'transient', true],
    ['unknown code on a 429', 429, 999, 'rate_limited', true],
  ])('%s', (_name, status, code, reason, retryable) => {
    expect(classifyGraphError(status, graphError(code))).toMatchObject({ code, reason, retryable });
  });

  test.each<[string, number, unknown, ChannelFailureReason, boolean]>([
    ['an HTML 502 from a proxy', 502, '<html><body>Bad Gateway</body></html>', 'transient', true],
    ['an empty 503', 503, '', 'transient', true],
    ['a bare 429', 429, '', 'rate_limited', true],
    ['a 404 page', 404, 'Not Found', 'bad_request', false],
    ['JSON that is not the envelope', 400, { message: 'nope' }, 'bad_request', false],
    ['the envelope as raw text', 400, JSON.stringify(graphError(131047)), 'window_closed', false],
  ])('body %s → decided by status', (_name, status, body, reason, retryable) => {
    const err = classifyGraphError(status, body);
    expect(err).toMatchObject({ reason, retryable, httpStatus: status });
    expect(err.message).toContain(String(status));
  });

  test('a bare 429 still waits a minimum', () => {
    expect(classifyGraphError(429, '').retryAfterMs).toBe(1_000);
  });
});

describe('parseRetryAfter', () => {
  test.each<[string | undefined, number | undefined]>([
    [undefined, undefined], ['', undefined], ['12', 12_000], ['1.25', 1_250], ['-3', undefined], ['abc', undefined],
  ])('%s → %s', (header, ms) => {
    expect(parseRetryAfter(header, 0)).toBe(ms);
  });

  test('HTTP date in the past → 0', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
  });
});
