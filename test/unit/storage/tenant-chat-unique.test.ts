import { afterEach, describe, expect, test } from 'vitest';
import { knownMigrations } from '../../../src/storage/migrate.js';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';
import type { Db } from '../../../src/storage/open-db.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});
const fresh = (to?: number) => {
  const { db } = migratedDb(to);
  opened.push(db);
  return db;
};
const setChat = (db: Db, id: number, chat: number | null) => db.prepare('UPDATE tenants SET telegram_chat_id = ? WHERE id = ?').run(chat, id);

describe('schema: a managers group belongs to one tenant', () => {
  test('a second tenant cannot be given, or inserted with, a group another tenant has', () => {
    const db = fresh();
    const a = insertTenant(db, 'a');
    const b = insertTenant(db, 'b');
    setChat(db, a, -100500);
    expect(() => setChat(db, b, -100500)).toThrow('telegram_chat_id already belongs to another tenant');
    expect(() => db.prepare("INSERT INTO tenants (slug, name, timezone, telegram_chat_id, created_at, updated_at) VALUES ('c', 'c', 'UTC', -100500, 0, 0)").run())
      .toThrow('telegram_chat_id already belongs to another tenant');
    // Its own group again, no group, or a group nobody has: allowed.
    expect(() => setChat(db, a, -100500)).not.toThrow();
    expect(() => setChat(db, b, null)).not.toThrow();
    expect(() => setChat(db, b, -100501)).not.toThrow();
  });

  test('a cell that already shares a group still migrates (the trigger refuses only new sharing)', () => {
    const before = knownMigrations().filter((m) => m.version < 13).at(-1)!.version;
    const db = fresh(before);
    const a = insertTenant(db, 'a');
    const b = insertTenant(db, 'b');
    setChat(db, a, -100600);
    setChat(db, b, -100600);
    expect(() => applyMigrations(db)).not.toThrow();
    expect(() => setChat(db, insertTenant(db, 'c'), -100600)).toThrow('already belongs to another tenant');
  });
});
