import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations } from '../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../src/storage/open-db.js';

/** A fresh cell database in a temp folder, migrated to `to` (default: the latest), as the worker opens it. */
export function migratedDb(to?: number): { db: Db; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'botctl-db-'));
  const db = openDatabase(dataDir);
  applyMigrations(db, to === undefined ? {} : { to });
  return { db, dataDir };
}

/** Adds a tenant row directly (unit tests of readers; the CLI path is tested in test/integration/cli-tenant). */
export function insertTenant(db: Db, slug: string, now = Date.now()): number {
  return Number(db.prepare("INSERT INTO tenants (slug, name, timezone, created_at, updated_at) VALUES (?, ?, 'Asia/Almaty', ?, ?)").run(slug, slug, now, now).lastInsertRowid);
}
