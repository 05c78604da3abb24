import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/durations.js';

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['90s', 90_000],
    [' 15m ', 900_000],
    ['007s', 7_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', ' ', '5', '5x', 'm', '-5m', '+5m', '1.5h', '5 m', '5M', '5min', '5m30s', '1w', 'ms', 'five minutes', '5mm', 'h2'])(
    'malformed %j is null',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('formatDuration', () => {
  test.each([
    [0, '0ms'],
    [1, '1ms'],
    [1500, '1500ms'],
    [1000, '1s'],
    [90_000, '90s'],
    [300_000, '5m'],
    [5_400_000, '90m'],
    [7_200_000, '2h'],
    [86_400_000, '1d'],
    [172_800_000, '2d'],
    [90_000_000, '25h'],
  ])('%d ms is %j (the largest unit that divides it)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('parse(format(ms)) gives back ms for the values tenants store', () => {
    for (const ms of [0, 1, 999, 1000, 10_000, 59_000, 60_000, 61_000, 300_000, 900_000, 3_600_000, 3_660_000, 86_400_000, 86_401_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
