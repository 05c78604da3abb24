import { existsSync, statSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { litestreamVersion } from './litestream-binary.js';
import { parseGoDuration, parseTable, type LitestreamCli } from './litestream-cli.js';

export interface Generation {
  generation: string;
  /** First and last moment the replica holds for this generation (epoch ms). */
  start: number | null;
  end: number | null;
}

export interface BackupStatus {
  replica: string;
  litestream: { path: string; source: 'npm' | 'path'; version: string | null };
  database: { path: string; exists: boolean; updatedAt: number | null };
  /** Oldest first; a new generation starts when Litestream loses track of the WAL (restart after a checkpoint). */
  generations: Generation[];
  /** The newest generation's last replicated moment, epoch ms; null when the replica holds nothing. */
  lastReplicatedAt: number | null;
  /** How far the replica trails the database's last write (Litestream's own `lag`); null when unknown. */
  lagMs: number | null;
  healthy: boolean;
  /** Each problem as one sentence with its fix. */
  problems: string[];
}

/**
 * Reads what the replica holds. With the database on this machine, `litestream generations` also gives the lag
 * (the database's last write minus the replica's last sync); on a machine without it (restoring elsewhere) the
 * snapshots say what exists.
 */
export async function backupStatus(cli: LitestreamCli, options: { maxLagMs: number }): Promise<BackupStatus> {
  const exists = existsSync(cli.dbPath);
  const updatedAt = exists ? Math.max(...[cli.dbPath, `${cli.dbPath}-wal`].filter((p) => existsSync(p)).map((p) => statSync(p).mtimeMs)) : null;
  let generations: Generation[];
  let lagMs: number | null = null;
  if (exists) {
    const out = await cli.run('generations', []);
    if (out.error) throw unreadable(cli.replicaUrl, out.error);
    const rows = parseTable(out.stdout);
    generations = rows.map((r) => ({ generation: r.generation ?? '', start: time(r.start), end: time(r.end) }));
    const newest = newestOf(generations);
    const row = rows.find((r) => r.generation === newest?.generation);
    lagMs = row ? parseGoDuration(row.lag ?? '') : null;
  } else {
    const out = await cli.run('snapshots', []);
    if (out.error) throw unreadable(cli.replicaUrl, out.error);
    const byGeneration = new Map<string, Generation>();
    for (const r of parseTable(out.stdout)) {
      const at = time(r.created);
      const g = byGeneration.get(r.generation ?? '') ?? { generation: r.generation ?? '', start: at, end: at };
      g.start = Math.min(g.start ?? Infinity, at ?? Infinity);
      g.end = Math.max(g.end ?? -Infinity, at ?? -Infinity);
      byGeneration.set(g.generation, g);
    }
    generations = [...byGeneration.values()];
  }
  generations.sort((a, b) => (a.end ?? 0) - (b.end ?? 0));
  const lastReplicatedAt = newestOf(generations)?.end ?? null;

  const problems: string[] = [];
  if (generations.length === 0) {
    problems.push(`the replica ${cli.replicaUrl} holds no backup yet: start the cell with botctl run (systemctl start botctl) and check journalctl -u botctl for litestream lines`);
  } else if (lagMs !== null && lagMs > options.maxLagMs) {
    problems.push(`the replica is ${Math.round(lagMs / 1000)} s behind the database: check that botctl run is running and journalctl -u botctl for litestream errors`);
  }
  return {
    replica: cli.replicaUrl,
    litestream: { path: cli.binary.path, source: cli.binary.source, version: await litestreamVersion(cli.binary.path) },
    database: { path: cli.dbPath, exists, updatedAt },
    generations,
    lastReplicatedAt,
    lagMs,
    healthy: problems.length === 0,
    problems,
  };
}

function newestOf(generations: Generation[]): Generation | undefined {
  return generations.reduce<Generation | undefined>((best, g) => (!best || (g.end ?? 0) > (best.end ?? 0) ? g : best), undefined);
}

function time(text: string | undefined): number | null {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

function unreadable(replica: string, error: string): UserError {
  return new UserError(`the replica ${replica} cannot be read (${error})`, 'check LITESTREAM_REPLICA_URL, that the folder or bucket exists and that its credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are in the env file');
}
