import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { compareCounts, inspectDatabase, type CountDifference } from './inspect-database.js';
import type { LitestreamCli } from './litestream-cli.js';
import { restoreBackup } from './restore.js';

export interface VerifyOptions {
  /** Restores to try while counts differ: a busy cell may be one sync (1 s) ahead of its replica. */
  attempts: number;
  /** Pause between attempts; a few sync intervals. */
  pauseMs: number;
}

export interface VerifyReport {
  ok: boolean;
  replica: string;
  attempts: number;
  /** `ok`, or what `PRAGMA integrity_check` said about the restored copy; null when nothing could be restored. */
  integrity: string | null;
  schemaVersion: { live: number; backup: number | null };
  tables: { table: string; live: number | null; backup: number | null }[];
  differences: CountDifference[];
  /** Each problem as one sentence with its fix; empty when ok. */
  problems: string[];
}

/**
 * Proves the backup restores: restores the replica into a temporary file, runs an integrity check on it and
 * compares its row counts with the live database. Counts are retried a few times, since the replica trails
 * the live file by up to one sync; a replica that stays behind, is missing or is damaged fails.
 */
export async function verifyBackup(cli: LitestreamCli, options: VerifyOptions): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false, replica: cli.replicaUrl, attempts: 0, integrity: null, schemaVersion: { live: 0, backup: null }, tables: [], differences: [], problems: [],
  };
  for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
    report.attempts = attempt;
    const dir = mkdtempSync(join(tmpdir(), 'botctl-verify-'));
    try {
      let restored;
      try {
        restored = await restoreBackup(cli, { output: join(dir, 'botctl.db') });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        report.problems = [err.toString()];
        return report;
      }
      const live = inspectDatabase(cli.dbPath, { integrity: false });
      report.integrity = restored.integrity;
      report.schemaVersion = { live: live.schemaVersion, backup: restored.schemaVersion };
      report.differences = compareCounts(live.counts, restored.counts);
      const names = [...new Set([...Object.keys(live.counts), ...Object.keys(restored.counts)])].sort();
      report.tables = names.map((table) => ({ table, live: live.counts[table] ?? null, backup: restored.counts[table] ?? null }));
      if (restored.integrity !== 'ok') {
        report.problems = [`the restored copy fails its integrity check (${restored.integrity}): the replica is damaged; check its storage, and start a fresh generation by restarting the cell (systemctl restart botctl)`];
        return report;
      }
      if (report.differences.length === 0) {
        report.ok = true;
        report.problems = [];
        return report;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (attempt < options.attempts) await new Promise((r) => setTimeout(r, options.pauseMs));
  }
  const shown = report.differences.slice(0, 5).map((d) => `${d.table} ${d.live ?? 'missing'} live, ${d.backup ?? 'missing'} in the backup`).join('; ');
  report.problems = [`the backup is behind the live database after ${report.attempts} tries (${shown}): check that botctl run is running with LITESTREAM_REPLICA_URL set (botctl backup status shows the lag) and journalctl -u botctl for litestream errors`];
  return report;
}
