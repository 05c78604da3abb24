import { execa, type ResultPromise } from 'execa';
import { RUN_JS } from './cli.js';
import { until } from './until.js';

export interface DemoProcess {
  /** The console URL the demo printed. */
  url: string;
  /** The cell folder it printed. */
  dir: string;
  lines: string[];
  child: ResultPromise;
  /** GET/POST on the console's JSON API (`path` relative to the console URL, e.g. `api/state`). */
  api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Whether the process has not exited yet. */
  running(): boolean;
  /** Ctrl-C, as a person stops it; resolves with the exit code. */
  interrupt(): Promise<number>;
}

/**
 * Starts the real `botctl demo` as a child process (`node -- bin/run.js demo …`) with only PATH, HOME and `env`,
 * and waits until it prints the console URL.
 */
export async function startDemoProcess(flags: string[], env: Record<string, string> = {}): Promise<DemoProcess> {
  const child = execa(process.execPath, ['--', RUN_JS, 'demo', ...flags], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  const lines: string[] = [];
  child.all?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  await until(() => lines.some((l) => /Open http/.test(l)) || exited, 30_000, 'the demo to print its URL');
  if (exited) throw new Error(`botctl demo exited: ${lines.join('\n')}`);
  const url = /Open (http\S+)/.exec(lines.find((l) => l.includes('Open http'))!)![1]!;
  const dir = /cell: (\S+)/.exec(lines.find((l) => l.includes('cell: '))!)![1]!;
  return {
    url,
    dir,
    lines,
    child,
    running: () => !exited,
    async api<T>(path: string, body?: unknown) {
      const response = await fetch(new URL(path, url), body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as T };
    },
    async interrupt() {
      child.kill('SIGINT');
      return (await child).exitCode ?? -1;
    },
  };
}
