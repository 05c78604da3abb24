import { describe, expect, test } from 'vitest';
import { databaseChecks } from '../../../../src/ops/doctor/database-checks.js';
import { applyMigrations, knownMigrations } from '../../../../src/storage/migrate.js';
import { insertTenant, migratedDb } from '../../../helpers/migrated-db.js';

const context = (db: ReturnType<typeof migratedDb>['db']) => ({ config: null, configError: null, db, timeoutMs: 1000, concurrency: 1, litestreamConfig: null, clock: Date.now });

describe('doctor: a managers group shared by two tenants (from before it was refused)', () => {
  test('is a failure naming the group, the tenants and the fix; separate groups pass', () => {
    const { db } = migratedDb(knownMigrations().filter((m) => m.version < 13).at(-1)!.version);
    const a = insertTenant(db, 'alpha');
    const b = insertTenant(db, 'beta');
    db.prepare('UPDATE tenants SET telegram_chat_id = -100777 WHERE id IN (?, ?)').run(a, b);
    applyMigrations(db);
    const shared = databaseChecks(context(db), null).find((r) => r.name === 'managers chats')!;
    expect(shared).toMatchObject({ status: 'fail', detail: '1 managers group(s) serve several tenants: -100777 (alpha, beta)', fix: expect.stringContaining('botctl tenant update beta --telegram-chat-id <its id>') });
    db.prepare('UPDATE tenants SET telegram_chat_id = -100778 WHERE id = ?').run(b);
    expect(databaseChecks(context(db), null).find((r) => r.name === 'managers chats')).toMatchObject({ status: 'ok' });
    db.close();
  });
});
