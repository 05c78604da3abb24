import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildExit, ChildSpec } from './child-spec.js';

export type OutputStream = 'stdout' | 'stderr';

/** How many of a child's last output lines are kept for the alert that says why it keeps dying. */
const KEPT_LINES = 20;

/**
 * One spawned child process: its pid, its output line by line, and a promise of how it ended. Children run in
 * their own process group, so a Ctrl-C in a terminal reaches only the supervisor, which then drains them in order.
 */
export class RunningChild {
  readonly pid: number;
  readonly startedAt: number;
  readonly exited: Promise<ChildExit>;
  /** The last lines the child wrote, newest last, tagged with the stream. */
  readonly lastLines: { stream: OutputStream; line: string }[] = [];
  private readonly process: ChildProcess;
  private done = false;

  private constructor(spec: ChildSpec, clock: () => number, onLine: (stream: OutputStream, line: string) => void) {
    this.startedAt = clock();
    this.process = spawn(spec.command, [...spec.args], {
      env: spec.env,
      stdio: spec.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.pid = this.process.pid ?? -1;
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.process[stream];
      if (!source) continue;
      createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => {
        this.lastLines.push({ stream, line });
        if (this.lastLines.length > KEPT_LINES) this.lastLines.shift();
        onLine(stream, line);
      });
    }
    this.exited = new Promise((resolve) => {
      const finish = (exit: Omit<ChildExit, 'uptimeMs'>) => {
        if (this.done) return;
        this.done = true;
        resolve({ ...exit, uptimeMs: clock() - this.startedAt });
      };
      // 'close' comes after the output pipes are drained, so the last lines (the error) are in lastLines.
      this.process.once('close', (code, signal) => finish({ code, signal, spawnError: null }));
      this.process.once('error', (err: NodeJS.ErrnoException) => {
        if (this.process.pid === undefined) finish({ code: null, signal: null, spawnError: err.code ?? err.message });
      });
    });
  }

  static spawn(spec: ChildSpec, clock: () => number, onLine: (stream: OutputStream, line: string) => void): RunningChild {
    return new RunningChild(spec, clock, onLine);
  }

  get running(): boolean {
    return !this.done;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.done) return;
    try {
      this.process.kill(signal);
    } catch {
      // Already gone between the check and the kill: 'close' follows.
    }
  }

  /** SIGTERM, then SIGKILL if it is still there after `timeoutMs`. Resolves when it has exited. */
  async stop(timeoutMs: number): Promise<ChildExit> {
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}
