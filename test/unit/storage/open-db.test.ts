import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { BUSY_TIMEOUT_MS, databasePath, durableTransaction, openDatabase, type Db } from '../../../src/storage/open-db.js';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'botctl-opendb-'));
}

function openTracked(dir: string, options?: { readonly?: boolean }): Db {
  const db = openDatabase(dir, options);
  open.push(db);
  return db;
}

const pragma = (db: Db, name: string) => db.pragma(name, { simple: true });

describe('openDatabase', () => {
  test('creates botctl.db with the pragmas in force: busy_timeout 5000, WAL, foreign keys on, synchronous NORMAL', () => {
    const dir = dataDir();
    const db = openTracked(dir);
    expect(db.name).toBe(databasePath(dir));
    expect(existsSync(join(dir, 'botctl.db'))).toBe(true);
    expect(BUSY_TIMEOUT_MS).toBe(5000);
    expect(pragma(db, 'busy_timeout')).toBe(5000);
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(pragma(db, 'synchronous')).toBe(1);
  });

  test('WAL is persistent: a plain connection opened afterwards sees journal_mode wal', () => {
    const dir = dataDir();
    openTracked(dir).close();
    const plain = new Database(databasePath(dir));
    try {
      expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      plain.close();
    }
  });

  test('every connection gets the per-connection pragmas, not only the first', () => {
    const dir = dataDir();
    openTracked(dir);
    const second = openTracked(dir);
    expect(pragma(second, 'busy_timeout')).toBe(5000);
    expect(pragma(second, 'foreign_keys')).toBe(1);
    expect(pragma(second, 'synchronous')).toBe(1);
  });

  test('durableTransaction commits with synchronous FULL and returns to NORMAL afterwards, also when it throws', () => {
    const db = openTracked(dataDir());
    applyMigrations(db);
    let inside: unknown;
    const result = durableTransaction(db, () => {
      inside = pragma(db, 'synchronous');
      expect(db.inTransaction).toBe(true);
      db.prepare("INSERT INTO cell_meta (key, value) VALUES ('durable', x'01')").run();
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(inside).toBe(2);
    expect(pragma(db, 'synchronous')).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM cell_meta WHERE key = 'durable'").get()).toEqual({ n: 1 });

    expect(() =>
      durableTransaction(db, () => {
        db.prepare("INSERT INTO cell_meta (key, value) VALUES ('rolled-back', x'01')").run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(pragma(db, 'synchronous')).toBe(1);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare("SELECT count(*) AS n FROM cell_meta WHERE key = 'rolled-back'").get()).toEqual({ n: 0 });
  });

  test('foreign keys are enforced: a contact for a missing tenant is refused, a deleted tenant cascades', () => {
    const db = openTracked(dataDir());
    applyMigrations(db);
    const now = Date.now();
    expect(() =>
      db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, created_at, updated_at) VALUES (999, 999, '77011234567', ?, ?)`).run(now, now),
    ).toThrow(/FOREIGN KEY constraint failed/);
    expect(db.prepare('SELECT count(*) AS n FROM contacts').get()).toEqual({ n: 0 });

    db.prepare(`INSERT INTO tenants (id, slug, name, timezone, created_at, updated_at) VALUES (1, 'acme', 'Acme', 'UTC', ?, ?)`).run(now, now);
    db.prepare(`INSERT INTO channel_accounts (id, tenant_id, channel, external_id, created_at, updated_at) VALUES (1, 1, 'whatsapp', '12345', ?, ?)`).run(now, now);
    db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, created_at, updated_at) VALUES (1, 1, '77011234567', ?, ?)`).run(now, now);
    db.prepare('DELETE FROM tenants WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM contacts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM channel_accounts').get()).toEqual({ n: 0 });
  });

  test('a missing data folder is a UserError pointing at botctl init, and creates nothing', () => {
    const dir = join(dataDir(), 'missing', 'data');
    let caught: unknown;
    try {
      openDatabase(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe(`the data folder ${dir} does not exist`);
    expect((caught as UserError).hint).toContain('botctl init');
    expect(String(caught)).toContain('BOTCTL_DATA_DIR');
    expect(existsSync(dir)).toBe(false);
  });

  test('read-only: a missing database is a UserError pointing at botctl migrate; an existing one is opened read-only', () => {
    const dir = dataDir();
    expect(() => openDatabase(dir, { readonly: true })).toThrow(UserError);
    expect(() => openDatabase(dir, { readonly: true })).toThrow(`there is no database at ${databasePath(dir)}`);
    expect(existsSync(databasePath(dir))).toBe(false);

    const writer = openTracked(dir);
    applyMigrations(writer);
    const reader = openTracked(dir, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(pragma(reader, 'busy_timeout')).toBe(5000);
    expect(pragma(reader, 'foreign_keys')).toBe(1);
    expect(() => reader.prepare("INSERT INTO cell_meta (key, value) VALUES ('x', x'01')").run()).toThrow(/readonly/);
  });
});
