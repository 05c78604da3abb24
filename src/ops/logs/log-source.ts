import { execa } from 'execa';
import { accessSync, constants, createReadStream, existsSync, fstatSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { UserError } from '../../errors.js';

export type LogSource =
  | { kind: 'file'; path: string }
  | { kind: 'stdin' }
  | { kind: 'journal'; unit: string; since?: number };

/**
 * Where the worker's lines are: `--file` when given (`-` is stdin), else journald when journalctl exists (the worker
 * logs to stdout under systemd), else stdin. Journald goes before a non-terminal stdin on purpose: under
 * `ssh host botctl logs` stdin is an open pipe, and reading it would wait forever.
 */
export function chooseSource(options: { file?: string; unit: string; since?: number }): LogSource {
  if (options.file === '-') return { kind: 'stdin' };
  if (options.file) {
    if (!existsSync(options.file)) throw new UserError(`there is no file ${options.file}`, 'give the path of a file of worker log lines, or - for stdin');
    return { kind: 'file', path: options.file };
  }
  if (onPath('journalctl')) return { kind: 'journal', unit: options.unit, ...(options.since !== undefined ? { since: options.since } : {}) };
  if (stdinIsPiped()) return { kind: 'stdin' };
  throw new UserError('there is no journalctl on this machine and nothing is piped in', 'pass --file <path>, or pipe the lines in: botctl logs < worker.log');
}

/** The source's lines, one at a time (a day of journal does not have to fit in memory). */
export async function* readLines(source: LogSource): AsyncGenerator<string> {
  if (source.kind === 'journal') {
    yield* journalLines(source);
    return;
  }
  const input = source.kind === 'file' ? createReadStream(source.path) : process.stdin;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) yield line;
}

async function* journalLines(source: { unit: string; since?: number }): AsyncGenerator<string> {
  // `-o cat`: the message only, which is the worker's JSON line; `@<seconds>` is journalctl's epoch time syntax.
  const args = ['-u', source.unit, '-o', 'cat', '--no-pager', ...(source.since !== undefined ? ['--since', `@${Math.floor(source.since / 1000)}`] : [])];
  const child = execa('journalctl', args, { reject: false, stdin: 'ignore', stderr: 'pipe' });
  for await (const line of child) yield String(line);
  const result = await child;
  if (result.exitCode !== 0) {
    throw new UserError(`journalctl ${args.join(' ')} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
      'run it as root or as a member of the systemd-journal group, or pass --file');
  }
}

/** Piped or redirected from a file; not a terminal, and not /dev/null (how systemd and cron start commands). */
function stdinIsPiped(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
