import Database from 'better-sqlite3';
import { join } from 'node:path';

/** A read-write connection to a test cell's database, for planting the states watch must notice. */
export function openForWrite(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'botctl.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * tenants.telegram_status comes from migration 0006 (the desk). A test that runs against a schema without it adds
 * the columns itself — only when they are missing, so it never fights the real migration.
 */
export function ensureTelegramStatusColumns(db: Database.Database): void {
  const columns = new Set((db.prepare("SELECT name FROM pragma_table_info('tenants')").all() as { name: string }[]).map((c) => c.name));
  if (!columns.has('telegram_status')) db.exec("ALTER TABLE tenants ADD COLUMN telegram_status TEXT NOT NULL DEFAULT 'ok'");
  if (!columns.has('telegram_status_detail')) db.exec('ALTER TABLE tenants ADD COLUMN telegram_status_detail TEXT');
}

export function tenantId(db: Database.Database, slug: string): number {
  return (db.prepare('SELECT id FROM tenants WHERE slug = ?').get(slug) as { id: number }).id;
}

/** A job that exhausted its attempts `agoMs` ago, as the runner leaves one. */
export function addDeadJob(db: Database.Database, slug: string, kind: string, lastError: string, agoMs = 60_000): number {
  const at = Date.now() - agoMs;
  return Number(db.prepare(`INSERT INTO jobs (kind, tenant_id, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at, finished_at)
    VALUES (?, ?, '{}', 'dead', 5, 5, ?, ?, ?, ?, ?)`).run(kind, tenantId(db, slug), at, lastError, at, at, at).lastInsertRowid);
}

export function markTokenBroken(db: Database.Database, slug: string, detail: string): void {
  db.prepare("UPDATE channel_accounts SET status = 'token_broken', status_detail = ? WHERE tenant_id = ?").run(detail, tenantId(db, slug));
}
