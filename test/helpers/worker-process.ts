import { execa, type ResultPromise } from 'execa';
import { RUN_JS } from './cli.js';
import { freePort } from './ports.js';
import { until } from './until.js';

export interface WorkerProcess {
  port: number;
  url: string;
  lines: string[];
  child: ResultPromise;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: no drain, no cleanup, as a crash. */
  kill(): Promise<void>;
}

/** Starts the real `botctl worker` as a child process and waits until it logs that it started. */
export async function startWorkerProcess(env: Record<string, string>, flags: string[] = [], fixedPort?: number): Promise<WorkerProcess> {
  const port = fixedPort ?? (await freePort());
  const child = execa(process.execPath, ['--', RUN_JS, 'worker', '--http-host', '127.0.0.1', '--http-port', String(port), ...flags], {
    env: { PATH: process.env.PATH ?? '', BOTCTL_LOG_LEVEL: 'debug', ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  const lines: string[] = [];
  child.all?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  await until(() => lines.some((l) => l.includes('worker started')) || exited, 20_000, 'the worker to start');
  if (exited) throw new Error(`the worker exited: ${lines.join('\n')}`);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    child,
    async stop() {
      child.kill('SIGTERM');
      return (await child).exitCode ?? -1;
    },
    async kill() {
      child.kill('SIGKILL');
      await child;
    },
  };
}
