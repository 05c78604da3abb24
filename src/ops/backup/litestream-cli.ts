import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import { scrubText } from '../../observability/redact.js';
import { databasePath } from '../../storage/open-db.js';
import { requireLitestream, type LitestreamBinary } from './litestream-binary.js';
import { litestreamEnv, writeLitestreamConfig } from './litestream-config.js';

export type BackupConfig = Pick<Config, 'dataDir' | 'litestreamReplicaUrl' | 'envFile'>;

export interface LitestreamOutput {
  exitCode: number;
  stdout: string;
  /** Litestream's own `error="…"` when it failed, else its last line, secrets scrubbed; null on success. */
  error: string | null;
}

/**
 * Litestream's one-shot commands (snapshots, wal, generations, restore) on this cell's config, rendered from the
 * same template as `botctl run` uses into a private temporary folder (the data folder may be read-only to the
 * operator running the command). `close()` removes it.
 */
export class LitestreamCli {
  readonly dbPath: string;
  readonly replicaUrl: string;
  private readonly dir: string;
  private readonly configPath: string;

  private constructor(readonly binary: LitestreamBinary, private readonly config: BackupConfig) {
    this.dbPath = databasePath(config.dataDir);
    this.replicaUrl = config.litestreamReplicaUrl ?? '';
    this.dir = mkdtempSync(join(tmpdir(), 'botctl-litestream-'));
    this.configPath = writeLitestreamConfig(join(this.dir, 'litestream.yml'), config, null);
  }

  /** Throws a UserError when LITESTREAM_REPLICA_URL is unset or Litestream is not installed. */
  static open(config: BackupConfig): LitestreamCli {
    return new LitestreamCli(requireLitestream(), config);
  }

  /** Runs `litestream <command> -config … <args> <db path>`. */
  async run(command: string, args: string[], timeoutMs = 10 * 60_000): Promise<LitestreamOutput> {
    const result = await execa(this.binary.path, [command, '-config', this.configPath, '-no-expand-env', ...args, this.dbPath], {
      env: litestreamEnv(this.config), extendEnv: false, reject: false, timeout: timeoutMs, stdin: 'ignore',
    });
    if (result.timedOut) return { exitCode: -1, stdout: '', error: `litestream ${command} did not finish within ${Math.round(timeoutMs / 1000)} s` };
    // Litestream logs (errors included) on stdout, between the tables some commands print there.
    const stdout = String(result.stdout ?? '');
    const failed = result.exitCode !== 0;
    const error = failed ? litestreamError(`${String(result.stderr ?? '')}\n${stdout}`) ?? `litestream ${command} exited with code ${result.exitCode}` : null;
    return { exitCode: result.exitCode ?? -1, stdout: stdout.split('\n').filter((l) => !/^time=\S+ level=/.test(l)).join('\n'), error: error && scrubText(error) };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The `error="…"` of Litestream's last `level=ERROR` line, else its last line. */
export function litestreamError(output: string): string | null {
  const lines = output.trim().split('\n').filter(Boolean);
  for (const line of lines.reverse()) {
    const match = /\berror=("(?:[^"\\]|\\.)*"|\S+)/.exec(line);
    if (match) return match[1]!.startsWith('"') ? (JSON.parse(match[1]!) as string) : match[1]!;
  }
  return lines[0] ?? null;
}

/** Rows of Litestream's tab-aligned tables (`generations`, `snapshots`, `wal`), keyed by the header's words. */
export function parseTable(stdout: string): Record<string, string>[] {
  const [header, ...rows] = stdout.trim().split('\n').filter((l) => l.trim() !== '');
  if (!header) return [];
  const names = header.trim().split(/\s+/);
  return rows.map((row) => {
    const cells = row.trim().split(/\s+/);
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`-16ms`, `1.5s`, `2h3m4.5s`) in milliseconds; null when malformed. */
export function parseGoDuration(text: string): number | null {
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text.trim());
  if (!match) return null;
  let total = 0;
  for (const [, amount, unit] of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(amount) * GO_UNITS[unit!]!;
  return match[1] ? -total : total;
}
