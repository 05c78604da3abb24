import { describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { probeAddr, probeHost } from '../../../src/supervisor/cell-children.js';
import { runOptions, type RunFlags } from '../../../src/supervisor/run-options.js';

const defaults: RunFlags = {
  'drain-timeout': '20s', 'restart-delay': '1s', 'restart-delay-max': '30s', 'max-restarts': 5, 'restart-window': '5m', 'stable-after': '1m',
  'health-interval': '2s', 'unhealthy-after': '15s', 'start-timeout': '2m', 'litestream-metrics': '127.0.0.1:9190',
};

describe('botctl run flags', () => {
  test('the defaults give the documented policy', () => {
    expect(runOptions(defaults)).toEqual({
      drainTimeoutMs: 20_000,
      policy: { initialDelayMs: 1000, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 300_000, stableAfterMs: 60_000 },
      health: { intervalMs: 2000, unhealthyAfterMs: 15_000, startTimeoutMs: 120_000 },
      litestreamMetrics: '127.0.0.1:9190',
    });
    expect(runOptions({ ...defaults, 'litestream-metrics': 'off' }).litestreamMetrics).toBeNull();
  });

  test.each([
    [{ 'drain-timeout': '20' }, '--drain-timeout "20" is not a duration of at least 0 ms: write it like 500ms, 30s, 5m or 1h, e.g. --drain-timeout 30s'],
    [{ 'restart-delay': '1m' }, 'the restart flags do not fit together: the first restart delay is longer than the longest one'],
    [{ 'unhealthy-after': '1s' }, '--unhealthy-after must be longer than --health-interval'],
    [{ 'litestream-metrics': 'localhost' }, '--litestream-metrics "localhost" is not host:port'],
  ] as [Partial<RunFlags>, string][])('%j is refused with the fix', (flags, message) => {
    expect(() => runOptions({ ...defaults, ...flags })).toThrow(UserError);
    expect(() => runOptions({ ...defaults, ...flags })).toThrow(message.split(':')[0]!);
  });

  test('wildcard listen addresses are probed on loopback', () => {
    expect(probeHost('0.0.0.0')).toBe('127.0.0.1');
    expect(probeHost('::')).toBe('[::1]');
    expect(probeHost('10.0.0.5')).toBe('10.0.0.5');
    expect(probeHost('fe80::1')).toBe('[fe80::1]');
    expect(probeAddr(':9190')).toBe('127.0.0.1:9190');
    expect(probeAddr('0.0.0.0:9190')).toBe('127.0.0.1:9190');
    expect(probeAddr('[::1]:9190')).toBe('[::1]:9190');
  });
});
