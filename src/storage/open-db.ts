import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export type Db = Database.Database;

export const DB_FILE = 'botctl.db';
export const BUSY_TIMEOUT_MS = 5000;

export function databasePath(dataDir: string): string {
  return join(dataDir, DB_FILE);
}

export interface OpenOptions {
  /** Open an existing database only, read-only (status and inspection commands). */
  readonly?: boolean;
}

/**
 * Opens the cell's database with the per-connection pragmas in the order SQLite and Litestream ask for:
 * busy_timeout first (so the next pragmas wait for a lock instead of failing), WAL, foreign keys,
 * synchronous=NORMAL. Commits that acknowledge a customer's message use `durableTransaction` (FULL).
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  if (!existsSync(dataDir)) {
    throw new UserError(`the data folder ${dataDir} does not exist`, `run botctl init (or set BOTCTL_DATA_DIR / --data-dir to the folder holding ${DB_FILE})`);
  }
  const path = databasePath(dataDir);
  if (options.readonly && !existsSync(path)) {
    throw new UserError(`there is no database at ${path}`, 'run botctl migrate to create it');
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new UserError(`the database ${path} cannot be opened (${(err as Error).message})`, 'check that the data folder is writable by the user running botctl (the botctl user on a VPS)');
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Runs `fn` in a transaction whose commit is fsynced (synchronous=FULL): for commits that acknowledge a
 * customer's message to Meta, which never re-sends a message it got a 200 for. Also makes every earlier
 * NORMAL commit durable, since the WAL is synced up to this point.
 */
export function durableTransaction<T>(db: Db, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * Sets how many WAL pages make this connection checkpoint on commit (SQLite's default is 1000; 0 = never).
 * The worker sets 0 while Litestream replicates the file: Litestream then runs the checkpoints itself, at points
 * where it has copied the WAL, instead of racing the application's (PROTOCOLS.md §4). Without Litestream the WAL
 * would grow without bound, so this is never the default.
 */
export function setWalAutocheckpoint(db: Db, pages: number): void {
  db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
}
