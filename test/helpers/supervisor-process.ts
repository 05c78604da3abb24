import { execa, type ResultPromise } from 'execa';
import { RUN_JS } from './cli.js';
import { freePort } from './ports.js';
import { until } from './until.js';

export interface LogLine {
  msg?: string;
  child?: string;
  pid?: number;
  proc?: string;
  level?: string;
  [key: string]: unknown;
}

export interface SupervisorProcess {
  port: number;
  url: string;
  /** Every output line, raw. */
  lines: string[];
  child: ResultPromise;
  /** The supervisor's own pid. */
  pid: number;
  /** Resolves with the exit code when `botctl run` exits. */
  exited: Promise<number>;
  /** JSON lines with this `msg` (and child, when given), in order. */
  events(msg: string, child?: string): LogLine[];
  /** How many lines of process `proc` ('supervisor' or 'worker') had this `msg`; kept as lines arrive, so cheap to poll. */
  count(proc: string, msg: string): number;
  /** Pids of every `child` started so far, in order. */
  pids(child: string): number[];
  /** Waits until the n-th `child` (1-based) has passed its first health check; returns its pid. */
  ready(child: string, n?: number, timeoutMs?: number): Promise<number>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number>;
  /** SIGKILL to the supervisor only, as a crash; its children are left to their own devices. */
  kill(): Promise<void>;
}

/**
 * Starts the real `botctl run` (compiled, through bin/run.js) on a free port. `workerArgs` go after `--` to the worker.
 * Does not wait for anything: use `ready('worker')`.
 */
export async function startSupervisor(env: Record<string, string>, flags: string[] = [], workerArgs: string[] = []): Promise<SupervisorProcess> {
  const port = await freePort();
  const child = execa(process.execPath, ['--', RUN_JS, 'run', '--http-host', '127.0.0.1', '--http-port', String(port), ...flags, ...(workerArgs.length ? ['--', ...workerArgs] : [])], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', BOTCTL_LOG_LEVEL: 'info', ...env },
    extendEnv: false,
    reject: false,
    all: true,
    buffer: false,
  });
  const lines: string[] = [];
  const parsed: LogLine[] = [];
  const counts = new Map<string, number>();
  let rest = '';
  child.all?.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts.filter(Boolean)) {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as LogLine;
        parsed.push(entry);
        const key = `${entry.proc}\u0000${entry.msg}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } catch {
        // A non-JSON line (should not happen: the supervisor wraps them); kept in `lines` for the failure message.
      }
    }
  });
  const exited = child.then((r) => r.exitCode ?? -1);
  const events = (msg: string, name?: string) => parsed.filter((l) => l.msg === msg && (name === undefined || l.child === name));
  // The worker's own lines (one per job) would bury what the supervisor said.
  const supervisorLines = () => lines.filter((l) => !l.includes('"proc":"worker"') || l.includes('"level":"error"') || l.includes('"level":"fatal"'));
  const pids = (name: string) => events('child started', name).map((l) => l.pid!);
  let done = false;
  void exited.finally(() => {
    done = true;
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    child,
    pid: child.pid!,
    exited,
    events,
    count: (proc, msg) => counts.get(`${proc}\u0000${msg}`) ?? 0,
    pids,
    async ready(name, n = 1, timeoutMs = 30_000) {
      const line = await until(() => events('child ready', name)[n - 1] ?? (done ? 'exited' : null), timeoutMs, `${name} #${n} to be ready`).catch((err: Error) => {
        throw new Error(`${err.message}\n${supervisorLines().slice(-30).join('\n')}`);
      });
      if (line === 'exited') throw new Error(`botctl run exited before ${name} #${n} was ready:\n${supervisorLines().slice(-30).join('\n')}`);
      return line.pid!;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
