import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One message of a load: it becomes one signed webhook POST carrying one text message. */
export interface WireMessage {
  phoneNumberId: string;
  from: string;
  name: string;
  wamid: string;
  text: string;
}

export interface LoadSpec {
  url: string;
  /** Signs each body with it (X-Hub-Signature-256); null sends unsigned (the bare baseline checks nothing). */
  appSecret: string | null;
  /** closed: `concurrency` senders back to back (the highest rate the server sustains); open: a fixed rate. */
  mode: 'closed' | 'open';
  concurrency: number;
  ratePerSecond?: number;
  /** Hard bound on the run; the message count is the other bound. */
  durationMs: number;
  messages: WireMessage[];
  out: string;
}

export interface LoadResult {
  sent: number;
  /** HTTP status (or error message) → count. */
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Epoch ms when the measured loop started. */
  startedAt: number;
  /** Time to the full answer of each POST, ms, in completion order. */
  latencies: number[];
  /** wamids whose POST was answered 200: each must be stored. */
  acked: string[];
  sentAt: number[];
  /** Open loop only: the furthest the generator fell behind its schedule (it could not keep the rate). */
  maxBehindMs: number;
}

const LOADGEN_JS = join(dirname(fileURLToPath(import.meta.url)), 'loadgen.js');

/** Runs the load generator as a child process and returns its measurements. */
export async function runLoad(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const specFile = join(workDir, `load-${Date.now()}-${Math.floor(Math.random() * 1e6)}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const child = spawn(process.execPath, [LOADGEN_JS, specFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  // The generator bounds itself by time; this only catches a generator that hangs.
  const killer = setTimeout(() => child.kill('SIGKILL'), spec.durationMs + 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(readFileSync(spec.out, 'utf8')) as LoadResult;
}
