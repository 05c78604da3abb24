import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every row of every table, for "nothing changed" assertions (read-only connection). */
export function snapshot(dataDir: string): Record<string, unknown[]> {
  const db = new Database(join(dataDir, 'botctl.db'), { readonly: true });
  try {
    // Virtual (FTS5) tables are skipped: their shadow tables hold the same content and are compared instead.
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").all() as { name: string; sql: string }[];
    return Object.fromEntries(tables.map(({ name, sql }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY ${/WITHOUT ROWID/i.test(sql) ? '1' : 'rowid'}`).all()]));
  } finally {
    db.close();
  }
}

/** The raw bytes of the database and its WAL/SHM files, as a replica or a stolen disk would hold them. */
export function rawDatabaseBytes(dataDir: string): Buffer {
  return Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('botctl.db')).map((f) => readFileSync(join(dataDir, f))));
}
