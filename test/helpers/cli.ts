import { execa, type Result } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const RUN_JS = join(packageRoot, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built botctl binary as an operator would (a real child process, `node -- bin/run.js`), with an
 * environment holding only PATH and what the test gives, so the machine's own /etc/botctl is never read.
 */
export async function botctl(args: string[], env: Record<string, string> = {}, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const result: Result = await execa(process.execPath, ['--', RUN_JS, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 30_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export interface TempCell {
  dir: string;
  envFile: string;
  dataDir: string;
  env: Record<string, string>;
  /** The secret key `botctl init` wrote. */
  secretKey: string;
}

/** A fresh cell made by the real `botctl init` in a temporary folder. */
export async function initCell(): Promise<TempCell> {
  const dir = mkdtempSync(join(tmpdir(), 'botctl-test-'));
  const envFile = join(dir, 'botctl.env');
  const dataDir = join(dir, 'data');
  const result = await botctl(['init', '--env-file', envFile, '--data-dir', dataDir]);
  if (result.exitCode !== 0) throw new Error(`botctl init failed: ${result.stderr}`);
  const secretKey = /^BOTCTL_SECRET_KEY=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1] ?? '';
  return { dir, envFile, dataDir, env: { BOTCTL_ENV_FILE: envFile }, secretKey };
}
