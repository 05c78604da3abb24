import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from '../../storage/open-db.js';

export interface DatabaseInspection {
  /** `ok`, or the first problems `PRAGMA integrity_check` reported. */
  integrity: string;
  /** Rows per table (SQLite's and Litestream's own tables, and FTS virtual tables, left out). */
  counts: Record<string, number>;
  /** The highest applied migration, 0 when there is none. */
  schemaVersion: number;
}

/**
 * Checks a database file: integrity, rows per table and schema version, all in one read transaction so the
 * counts are one moment's. Read-only unless `writable` (a freshly restored copy is opened read-write, because a
 * WAL database needs its -shm file, which a read-only connection cannot create).
 */
export function inspectDatabase(path: string, options: { writable?: boolean; integrity?: boolean } = {}): DatabaseInspection {
  const db = new Database(path, { readonly: !options.writable, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db.transaction(() => {
      const integrity = options.integrity === false ? 'not checked' : integrityOf(db);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_litestream\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").pluck().all() as string[];
      const counts = Object.fromEntries(tables.map((name) => [name, db.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get() as number]));
      const schemaVersion = tables.includes('schema_migrations') ? ((db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0) : 0;
      return { integrity, counts, schemaVersion };
    })();
  } finally {
    db.close();
  }
}

function integrityOf(db: Database.Database): string {
  const rows = db.prepare('PRAGMA integrity_check(20)').pluck().all() as string[];
  return rows.length === 1 && rows[0] === 'ok' ? 'ok' : rows.join('; ');
}

export interface CountDifference {
  table: string;
  live: number | null;
  backup: number | null;
}

/** Tables whose row counts differ, or that exist on one side only. */
export function compareCounts(live: Record<string, number>, backup: Record<string, number>): CountDifference[] {
  const names = [...new Set([...Object.keys(live), ...Object.keys(backup)])].sort();
  return names
    .filter((table) => live[table] !== backup[table])
    .map((table) => ({ table, live: live[table] ?? null, backup: backup[table] ?? null }));
}
