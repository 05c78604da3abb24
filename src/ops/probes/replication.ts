import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { scrubText } from '../../observability/redact.js';
import { parsePromText, sumOf } from './prom-text.js';

/** The local folder a replica URL names (`/path` or `file:///path`), or null for remote replicas (s3, gs, …). */
export function localReplicaPath(replicaUrl: string): string | null {
  if (replicaUrl.startsWith('/')) return replicaUrl;
  if (replicaUrl.startsWith('file://')) return fileURLToPath(replicaUrl);
  return null;
}

/**
 * The newest modification time under a file replica, in epoch ms (null when it holds nothing yet).
 * Litestream renames each new WAL segment into `generations/<id>/wal/`, which bumps that folder's mtime, so
 * folders count as much as files; files are stat'ed only in small folders, which keeps a replica with a day of
 * segments (tens of thousands of files) cheap to look at every 30 s.
 */
export async function newestReplicaMtime(root: string, maxDepth = 4): Promise<number | null> {
  let newest: number | null = null;
  const seen = (ms: number) => {
    newest = newest === null ? ms : Math.max(newest, ms);
  };
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const statFiles = entries.length <= 200;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        seen((await stat(path)).mtimeMs);
        if (depth < maxDepth) await walk(path, depth + 1);
      } else if (entry.isFile() && statFiles) {
        seen((await stat(path)).mtimeMs);
      }
    }
  };
  await walk(root, 1);
  return newest;
}

/**
 * Litestream has no "last sync" metric (PROTOCOLS.md §4): this remembers when `litestream_sync_count` last grew
 * between scrapes, and whether `litestream_sync_error_count` did. The first scrape counts as a sync, so a fresh
 * watch needs one max-age before it can call replication stale.
 */
export class LitestreamMetricsTracker {
  private lastCount: number | null = null;
  private lastErrors: number | null = null;
  private lastSyncAt: number | null = null;

  observe(text: string, now: number): { lastSyncAt: number | null; newErrors: number; error: string | null } {
    const samples = parsePromText(text);
    const count = sumOf(samples, 'litestream_sync_count');
    const errors = sumOf(samples, 'litestream_sync_error_count') ?? 0;
    if (count === null) return { lastSyncAt: this.lastSyncAt, newErrors: 0, error: 'the metrics have no litestream_sync_count (is this Litestream\'s metrics address?)' };
    if (this.lastCount === null || count > this.lastCount || count < this.lastCount) this.lastSyncAt = now; // a drop = restarted
    const newErrors = this.lastErrors === null ? 0 : Math.max(0, errors - this.lastErrors);
    this.lastCount = count;
    this.lastErrors = errors;
    return { lastSyncAt: this.lastSyncAt, newErrors, error: null };
  }
}

export interface GenerationsResult {
  /** End of the newest generation (the last WAL position replicated), epoch ms; null when the replica is empty. */
  lastSyncAt: number | null;
  generations: number;
}

/**
 * `litestream generations <replica-url>`: reads the replica itself (any backend, credentials from Litestream's own
 * environment), so it proves the replica is reachable and says how fresh it is.
 */
export async function litestreamGenerations(binary: string, replicaUrl: string, timeoutMs: number): Promise<GenerationsResult> {
  const url = replicaUrl.startsWith('/') ? `file://${replicaUrl}` : replicaUrl;
  const result = await execa(binary, ['generations', url], { reject: false, timeout: timeoutMs });
  if (result.timedOut) throw new Error(`litestream generations did not finish within ${timeoutMs} ms`);
  // Litestream v0.3 exits 0 and prints an empty table when it cannot reach the replica; the reason is an ERROR log line.
  const logged = /ERROR.*?error="((?:[^"\\]|\\.)*)"/.exec(String(result.stderr));
  if (logged) throw new Error(scrubText(logged[1]!.replace(/\\n\\t.*$/s, '').replace(/\\n.*$/s, '')));
  if (result.exitCode !== 0) throw new Error(scrubText(String(result.stderr).trim().split('\n').at(-1) || `litestream generations exited ${result.exitCode}`));
  return parseGenerations(String(result.stdout));
}

/** Parses the table `name generation lag start end` (times in RFC 3339). */
export function parseGenerations(stdout: string): GenerationsResult {
  const rows = stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((cols) => cols.length >= 5 && cols[0] !== 'name');
  const ends = rows.map((cols) => Date.parse(cols[cols.length - 1]!)).filter((ms) => !Number.isNaN(ms));
  return { lastSyncAt: ends.length > 0 ? Math.max(...ends) : null, generations: rows.length };
}
