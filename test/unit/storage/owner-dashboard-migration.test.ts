import { expect, test } from 'vitest';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { seedContact, seedHandover, seedMessage, seedTenant } from '../../helpers/analytics-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

test('migration 14 gives older handovers the cause and the question their handover.opened trace events recorded', () => {
  const { db } = migratedDb(10);
  const t = seedTenant(db, { slug: 'old' });
  const c = seedContact(db, t, { name: 'Ann', phone: '77010000001', at: 1 });
  const m1 = seedMessage(db, t, c, { at: 1000, author: 'customer', body: 'Do you do piercing?' });
  const m2 = seedMessage(db, t, c, { at: 1500, author: 'customer', body: 'Of the tongue' });
  // Written as version 10 knew handovers: without cause and question.
  db.prepare('ALTER TABLE handovers ADD COLUMN cause TEXT').run();
  db.prepare('ALTER TABLE handovers ADD COLUMN question TEXT').run();
  const h = seedHandover(db, t, c, { number: 1, createdAt: 2000, cause: 'x' });
  const other = seedHandover(db, t, c, { number: 2, createdAt: 3000, cause: 'x' });
  db.prepare('ALTER TABLE handovers DROP COLUMN cause').run();
  db.prepare('ALTER TABLE handovers DROP COLUMN question').run();
  const trace = db.prepare("INSERT INTO trace_events (tenant_id, trace_id, at, step, message_id, detail) VALUES (?, 'tr', 2000, 'handover.opened', ?, ?)");
  for (const m of [m1, m2]) trace.run(t.id, m, JSON.stringify({ handoverId: h, number: 1, cause: 'no_knowledge', reason: 'the knowledge base has nothing on this question' }));

  applyMigrations(db);
  const rows = db.prepare('SELECT id, cause, question FROM handovers ORDER BY id').all();
  expect(rows).toEqual([{ id: h, cause: 'no_knowledge', question: 'Do you do piercing?\nOf the tongue' }, { id: other, cause: null, question: null }]);
  const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT contact_id, author_kind FROM messages WHERE tenant_id = 1 AND created_at >= 0').all() as { detail: string }[]).map((r) => r.detail).join();
  expect(plan).toContain('COVERING INDEX messages_tenant_created');
  db.close();
});
