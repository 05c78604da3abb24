import { describe, expect, test } from 'vitest';
import { classify, PermanentJobError, TransientJobError } from '../../../src/jobs/errors.js';
import { backoffDelay, DEFAULT_POLICY, type RetryPolicy } from '../../../src/jobs/retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5000, timeoutMs: 1000 };
const ALMOST_ONE = 1 - Number.EPSILON;

describe('backoffDelay (exponential, capped, full jitter)', () => {
  test('random 0 gives no delay at every attempt', () => {
    for (let attempt = 1; attempt <= 12; attempt++) expect(backoffDelay(policy, attempt, 0, () => 0)).toBe(0);
  });

  test('random close to 1 gives the ceiling base·2^(attempt−1), which doubles with each attempt', () => {
    // floor(0.999…·ceiling) is ceiling − 1 for these integer ceilings; full jitter never exceeds the ceiling.
    expect(backoffDelay(policy, 1, 0, () => ALMOST_ONE)).toBe(99);
    expect(backoffDelay(policy, 2, 0, () => ALMOST_ONE)).toBe(199);
    expect(backoffDelay(policy, 3, 0, () => ALMOST_ONE)).toBe(399);
    expect(backoffDelay(policy, 4, 0, () => ALMOST_ONE)).toBe(799);
    expect(backoffDelay(policy, 5, 0, () => ALMOST_ONE)).toBe(1599);
  });

  test('the ceiling is capped by maxDelayMs however many attempts failed', () => {
    expect(backoffDelay(policy, 6, 0, () => ALMOST_ONE)).toBe(3199);
    for (const attempt of [7, 8, 20, 60, 2000]) expect(backoffDelay(policy, attempt, 0, () => ALMOST_ONE)).toBe(4999);
    expect(backoffDelay(DEFAULT_POLICY, 40, 0, () => ALMOST_ONE)).toBe(DEFAULT_POLICY.maxDelayMs - 1);
  });

  test('the delay is the random fraction of the ceiling (jitter is applied, not a fixed delay)', () => {
    expect(backoffDelay(policy, 1, 0, () => 0.5)).toBe(50);
    expect(backoffDelay(policy, 3, 0, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 3, 0, () => 0.25)).toBe(100);
    expect(backoffDelay(policy, 30, 0, () => 0.5)).toBe(2500);
  });

  test('attempt 0 (or less) uses the base delay as ceiling', () => {
    expect(backoffDelay(policy, 0, 0, () => 0.5)).toBe(50);
    expect(backoffDelay(policy, -3, 0, () => 0.5)).toBe(50);
  });

  test('with Math.random the delay stays within [0, ceiling] and is spread out', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const delay = backoffDelay(policy, 4);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(800);
      seen.add(delay);
    }
    // 2000 draws from 800 values: full jitter, not a constant or a narrow band.
    expect(seen.size).toBeGreaterThan(400);
    expect(Math.min(...seen)).toBeLessThan(100);
    expect(Math.max(...seen)).toBeGreaterThan(700);
  });

  test('never earlier than retryAfterMs, even when it exceeds the cap', () => {
    expect(backoffDelay(policy, 1, 3000, () => 0)).toBe(3000);
    expect(backoffDelay(policy, 1, 3000, () => ALMOST_ONE)).toBe(3000);
    expect(backoffDelay(policy, 20, 60_000, () => ALMOST_ONE)).toBe(60_000);
    // A retry-after shorter than the jittered delay does not shorten it.
    expect(backoffDelay(policy, 5, 10, () => 0.5)).toBe(800);
  });
});

describe('classify', () => {
  test('PermanentJobError is permanent and its hint is kept in the message', () => {
    const c = classify(new PermanentJobError('recipient outside the 24-hour window', 'send a template instead'));
    expect(c).toEqual({ permanent: true, retryAfterMs: 0, message: 'PermanentJobError: recipient outside the 24-hour window (fix: send a template instead)' });
    expect(classify(new PermanentJobError('bad request'))).toEqual({ permanent: true, retryAfterMs: 0, message: 'PermanentJobError: bad request' });
  });

  test('TransientJobError is retryable and carries retryAfterMs', () => {
    expect(classify(new TransientJobError('rate limited', 1500))).toEqual({ permanent: false, retryAfterMs: 1500, message: 'TransientJobError: rate limited' });
    expect(classify(new TransientJobError('502 from Graph API'))).toEqual({ permanent: false, retryAfterMs: 0, message: 'TransientJobError: 502 from Graph API' });
  });

  test('a plain Error is transient', () => {
    expect(classify(new Error('socket hang up'))).toEqual({ permanent: false, retryAfterMs: 0, message: 'Error: socket hang up' });
    expect(classify(new TypeError('x is undefined')).permanent).toBe(false);
  });

  test('any object with retryable:false is permanent, and retryAfterMs is read from any object', () => {
    class ChannelApiError extends Error {
      readonly retryable = false;
      override readonly name = 'ChannelApiError';
    }
    expect(classify(new ChannelApiError('(#131047) Re-engagement message'))).toMatchObject({ permanent: true, message: 'ChannelApiError: (#131047) Re-engagement message' });
    expect(classify({ retryable: false, message: 'no' })).toMatchObject({ permanent: true, retryAfterMs: 0 });
    expect(classify(Object.assign(new Error('slow down'), { retryable: true, retryAfterMs: 2500 }))).toEqual({ permanent: false, retryAfterMs: 2500, message: 'Error: slow down' });
    expect(classify({ retryAfterMs: 700 })).toMatchObject({ permanent: false, retryAfterMs: 700 });
  });

  test('retryable must be exactly false to be permanent; bad retryAfterMs values are ignored', () => {
    expect(classify({ retryable: 0 }).permanent).toBe(false);
    expect(classify({ retryable: undefined }).permanent).toBe(false);
    expect(classify({ retryAfterMs: -5 }).retryAfterMs).toBe(0);
    expect(classify({ retryAfterMs: '1000' }).retryAfterMs).toBe(0);
    expect(classify({ retryAfterMs: Number.NaN }).retryAfterMs).toBe(0);
  });

  test('non-objects are transient and stringified; long messages are cut at 2000 characters', () => {
    expect(classify('boom')).toEqual({ permanent: false, retryAfterMs: 0, message: 'boom' });
    expect(classify(undefined)).toEqual({ permanent: false, retryAfterMs: 0, message: 'undefined' });
    expect(classify(null)).toEqual({ permanent: false, retryAfterMs: 0, message: 'null' });
    expect(classify(new Error('x'.repeat(5000))).message).toHaveLength(2000);
  });
});
