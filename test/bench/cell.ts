import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { WORKER_NODE_FLAGS } from '../../src/supervisor/cell-children.js';

const RUN_JS = join(packageRoot, 'bin', 'run.js');

/** A cell made by the real `botctl init` and `botctl migrate`, in a folder of the benchmark's own. */
export interface BenchCell {
  dir: string;
  envFile: string;
  dataDir: string;
  dbPath: string;
  secretKey: Buffer;
}

/** Runs the built botctl as an operator would, with only PATH, HOME and the given variables. */
export function botctl(args: string[], env: Record<string, string>): string {
  const result = spawnSync(process.execPath, ['--', RUN_JS, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, encoding: 'utf8', timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`botctl ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A cell folder made by createCell in an earlier run (kept with --keep). */
export function existingCell(dir: string): BenchCell {
  const envFile = join(dir, 'botctl.env');
  const key = /^BOTCTL_SECRET_KEY=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
  if (!key) throw new Error(`no BOTCTL_SECRET_KEY in ${envFile}`);
  const dataDir = join(dir, 'data');
  return { dir, envFile, dataDir, dbPath: join(dataDir, 'botctl.db'), secretKey: Buffer.from(key, 'base64') };
}

export function createCell(dir: string): BenchCell {
  mkdirSync(dir, { recursive: true });
  const envFile = join(dir, 'botctl.env');
  const dataDir = join(dir, 'data');
  botctl(['init', '--env-file', envFile, '--data-dir', dataDir], {});
  botctl(['migrate'], { BOTCTL_ENV_FILE: envFile });
  const key = /^BOTCTL_SECRET_KEY=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
  if (!key) throw new Error(`no BOTCTL_SECRET_KEY in ${envFile}`);
  return { dir, envFile, dataDir, dbPath: join(dataDir, 'botctl.db'), secretKey: Buffer.from(key, 'base64') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One GET over a fresh connection (probes must not ride on a load generator's keep-alive pool). */
export function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WorkerHandle {
  url: string;
  pid: number;
  /** From spawn to the first `/readyz` 200, in ms. */
  readyMs: number;
  logFile: string;
  /** Resident set size now and its peak (VmHWM) so far, in MB. */
  memory(): { rssMb: number; peakMb: number };
  /** SIGTERM (the worker drains), then waits; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface WorkerStart {
  cell: BenchCell;
  env: Record<string, string>;
  flags?: string[];
  /**
   * Extra node flags, e.g. --cpu-prof (the profile is written when the worker exits after SIGTERM), after the
   * supervisor's own WORKER_NODE_FLAGS, so the worker runs as `botctl run` runs it and a later flag overrides.
   */
  nodeFlags?: string[];
  name: string;
}

/** Starts the real `botctl worker` as a child process, logs to a file, and waits for `/readyz` to answer 200. */
export async function startWorker(options: WorkerStart): Promise<WorkerHandle> {
  const port = await freePort();
  const logFile = join(options.cell.dir, `${options.name}.log`);
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...(options.nodeFlags ?? []), '--', RUN_JS, 'worker', '--http-host', '127.0.0.1', '--http-port', String(port), ...(options.flags ?? [])], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', BOTCTL_ENV_FILE: options.cell.envFile, ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(url, child, started, logFile);
  return {
    url, pid: child.pid!, readyMs, logFile,
    memory: () => processMemory(child.pid!),
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(url: string, child: ChildProcess, started: number, logFile: string): Promise<number> {
  const deadline = started + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}; see ${logFile}`);
    try {
      if ((await httpGet(`${url}/readyz`, 1000)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  throw new Error(`the worker was not ready within 60 s; see ${logFile}`);
}

export function processMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** One gauge of a Prometheus text exposition (the first sample of that name). */
export function gauge(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}
