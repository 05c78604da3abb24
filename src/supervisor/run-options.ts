import { parseDuration } from '../config/durations.js';
import { UserError } from '../errors.js';
import type { HealthTiming } from './cell-children.js';
import { policyProblem, type RestartPolicy } from './restart-policy.js';

/** The `botctl run` flags that tune supervision, as typed on the command line (durations like `30s`, `5m`). */
export interface RunFlags {
  'drain-timeout': string;
  'restart-delay': string;
  'restart-delay-max': string;
  'max-restarts': number;
  'restart-window': string;
  'stable-after': string;
  'health-interval': string;
  'unhealthy-after': string;
  'start-timeout': string;
  'litestream-metrics': string;
}

export interface RunOptions {
  drainTimeoutMs: number;
  policy: RestartPolicy;
  health: HealthTiming;
  /** Litestream's metrics address, or null when turned off. */
  litestreamMetrics: string | null;
}

/** Validates the flags into options; a malformed one is a UserError naming the flag and a valid example. */
export function runOptions(flags: RunFlags): RunOptions {
  const ms = (name: keyof RunFlags, min = 0): number => {
    const text = String(flags[name]);
    const value = parseDuration(text);
    if (value === null || value < min) {
      throw new UserError(`--${name} ${JSON.stringify(text)} is not a duration of at least ${min} ms`, `write it like 500ms, 30s, 5m or 1h, e.g. --${name} 30s`);
    }
    return value;
  };
  const policy: RestartPolicy = {
    initialDelayMs: ms('restart-delay'),
    maxDelayMs: ms('restart-delay-max'),
    maxRestarts: flags['max-restarts'],
    windowMs: ms('restart-window', 1),
    stableAfterMs: ms('stable-after'),
  };
  const problem = policyProblem(policy);
  if (problem) throw new UserError(`the restart flags do not fit together: ${problem}`, 'make --restart-delay at most --restart-delay-max, --max-restarts at least 1 and --restart-window longer than 0');
  const health: HealthTiming = { intervalMs: ms('health-interval', 50), unhealthyAfterMs: ms('unhealthy-after', 100), startTimeoutMs: ms('start-timeout', 100) };
  if (health.unhealthyAfterMs <= health.intervalMs) {
    throw new UserError('--unhealthy-after must be longer than --health-interval', 'give several probes before a restart, e.g. --health-interval 2s --unhealthy-after 15s');
  }
  const metrics = flags['litestream-metrics'].trim();
  if (metrics !== 'off' && !/^(\[[0-9a-f:]+\]|[\w.-]*):\d{1,5}$/i.test(metrics)) {
    throw new UserError(`--litestream-metrics ${JSON.stringify(metrics)} is not host:port`, 'give an address such as 127.0.0.1:9190, or off');
  }
  return { drainTimeoutMs: ms('drain-timeout'), policy, health, litestreamMetrics: metrics === 'off' ? null : metrics };
}
