import type { HealthSpec } from './health-probe.js';

/** One process `botctl run` keeps alive: how to start it, check it and stop it. */
export interface ChildSpec {
  /** `worker` or `litestream`: used in log lines, alerts and systemd's status text. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /**
   * A Node child gets an IPC channel: when the supervisor dies (even by SIGKILL) the channel closes and the
   * worker drains and exits, instead of living on as an orphan holding the port and the database.
   */
  ipc: boolean;
  health: HealthSpec | null;
  /** Stopping sends SIGTERM, then SIGKILL after this long (a draining worker needs its drain deadline and a margin). */
  stopTimeoutMs: number;
  /**
   * A stop waits until the child has run this long. Litestream sets up its position on its first sync (about one
   * sync-interval after start) and only then syncs on SIGTERM: stopped sooner, it would leave the last writes out.
   */
  minUptimeBeforeStopMs: number;
  /** `json`: the child writes our JSON log lines (passed through as they are); `logfmt`: Litestream's `level=… msg=…`. */
  output: 'json' | 'logfmt';
}

/** How a child ended, in the words a log line or an alert uses. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError: string | null;
  uptimeMs: number;
}

export function describeExit(exit: ChildExit): string {
  if (exit.spawnError) return `could not be started (${exit.spawnError})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}
