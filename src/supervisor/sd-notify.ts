import { execFile } from 'node:child_process';

/**
 * systemd's notify protocol (sd_notify(3)) for `botctl run` under `Type=notify`: READY=1 once the cell serves,
 * WATCHDOG=1 while the supervisor's own loop turns, STOPPING=1 when it drains, STATUS= for `systemctl status`.
 *
 * Node cannot open AF_UNIX datagram sockets, so each message is sent by systemd's own `systemd-notify` (which waits
 * on a BARRIER=1 until systemd has read it, so the short-lived sender is still there to be recognised). That needs
 * `NotifyAccess=all` in the unit: see docs/decisions/0010-process-supervision.md. Without NOTIFY_SOCKET in the
 * environment (a terminal, a test, another init) every method is a no-op and nothing is spawned.
 */
export interface SdNotifier {
  readonly enabled: boolean;
  /** How often to send WATCHDOG=1 (half of WATCHDOG_USEC), or null when systemd set no watchdog for us. */
  readonly watchdogIntervalMs: number | null;
  ready(status?: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(status?: string): Promise<void>;
  status(text: string): Promise<void>;
}

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** The sender program; `systemd-notify` from PATH unless a test gives another. */
  command?: string;
  pid?: number;
  /** Told about a message that could not be sent (the supervisor logs it; a lost ping must not crash the cell). */
  onError?: (message: string, error: string) => void;
}

/** The environment variables systemd gives the main process only; children must not inherit them. */
export const NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

export function createSdNotifier(options: SdNotifyOptions = {}): SdNotifier {
  const env = options.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  const watchdogIntervalMs = socket ? watchdogInterval(env, options.pid ?? process.pid) : null;
  const send = (...assignments: string[]): Promise<void> => {
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      // Only NOTIFY_SOCKET is passed: the sender needs nothing else, and no secret of ours should reach it.
      execFile(options.command ?? 'systemd-notify', assignments, { env: { NOTIFY_SOCKET: socket, PATH: env.PATH ?? '/usr/bin:/bin' }, timeout: 10_000 }, (err, _stdout, stderr) => {
        if (err) options.onError?.(assignments.join(' '), `${stderr.trim() || err.message}`);
        resolve();
      });
    });
  };
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  return {
    enabled: Boolean(socket),
    watchdogIntervalMs,
    ready: (status) => send('READY=1', ...(status ? [`STATUS=${oneLine(status)}`] : [])),
    watchdog: () => send('WATCHDOG=1'),
    stopping: (status) => send('STOPPING=1', ...(status ? [`STATUS=${oneLine(status)}`] : [])),
    status: (text) => send(`STATUS=${oneLine(text)}`),
  };
}

/** Half the watchdog timeout, as sd_watchdog_enabled(3) advises; null when unset, malformed or meant for another pid. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 1000 / 2));
}
