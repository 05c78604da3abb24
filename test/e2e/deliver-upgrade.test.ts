import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij' };
const CUSTOMER = '77019990001';

let h: PipelineCell;
beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SMILE], llm: false, worker: false });
}, 60_000);
afterAll(async () => h?.close());

/**
 * A cell of the version before migration 0017: a reply stored and its `send_whatsapp` job queued, then botctl is
 * upgraded. The schema is put back to version 16 exactly (the ledger row and the column 0017 adds), as an old
 * botctl left it, and the jobs are written as that version wrote them.
 */
function queueAsVersion16(): { messageId: number; deadMessageId: number } {
  const db = new Database(join(h.cell.dataDir, 'botctl.db'));
  try {
    const now = Date.now();
    const { tenantId, accountId } = db.prepare("SELECT t.id AS tenantId, c.id AS accountId FROM tenants t JOIN channel_accounts c ON c.tenant_id = t.id AND c.channel = 'whatsapp' WHERE t.slug = ?")
      .get(SMILE.slug) as { tenantId: number; accountId: number };
    const contactId = Number(db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, phone, metadata, created_at, updated_at)
      VALUES (?, ?, ?, 'Айгерим', ?, '{}', ?, ?)`).run(tenantId, accountId, CUSTOMER, CUSTOMER, now, now).lastInsertRowid);
    db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)").run(tenantId, contactId, now, now, now);
    const outbound = (body: string, trace: string) => Number(db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body,
        delivery_status, trace_id, created_at, updated_at) VALUES (?, ?, ?, 'outbound', 'bot', 'text', ?, 'queued', ?, ?, ?)`).run(tenantId, accountId, contactId, body, trace, now, now).lastInsertRowid);
    const messageId = outbound('Чистка стоит 15 000 ₸.', 'trace-old-1');
    const deadMessageId = outbound('Мы открыты с 9:00.', 'trace-old-2');
    db.prepare(`INSERT INTO jobs (kind, tenant_id, payload, concurrency_key, state, max_attempts, run_at, trace_id, created_at, updated_at)
      VALUES ('send_whatsapp', ?, ?, ?, 'pending', 10, ?, 'trace-old-1', ?, ?)`).run(tenantId, JSON.stringify({ messageId }), `contact:${contactId}`, now, now, now);
    db.prepare(`INSERT INTO jobs (kind, tenant_id, payload, concurrency_key, state, attempts, max_attempts, run_at, last_error, trace_id, created_at, updated_at, finished_at)
      VALUES ('send_whatsapp', ?, ?, ?, 'dead', 10, 10, ?, 'Graph 500', 'trace-old-2', ?, ?, ?)`).run(tenantId, JSON.stringify({ messageId: deadMessageId }), `contact:${contactId}`, now, now, now, now);
    db.prepare('DELETE FROM schema_migrations WHERE version >= 17').run();
    db.prepare('ALTER TABLE contacts DROP COLUMN handle').run();
    // Migrations after 0017 ran on this cell too: their tables go, so the upgrade applies them again.
    for (const table of tablesCreatedAfter(17)) db.prepare(`DROP TABLE IF EXISTS "${table}"`).run();
    return { messageId, deadMessageId };
  } finally {
    db.close();
  }
}

/** The tables the shipped migrations numbered above `version` create (their indexes go with them). */
function tablesCreatedAfter(version: number): string[] {
  const dir = join(import.meta.dirname, '../../src/storage/migrations');
  return readdirSync(dir).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) > version)
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)].map((m) => m[1]!));
}

describe('upgrading a cell with queued WhatsApp sends', () => {
  test('a send queued by the old version is delivered by deliver_message after the upgrade; a dead one can be retried', async () => {
    const { messageId, deadMessageId } = queueAsVersion16();
    expect(h.query('SELECT max(version) AS v FROM schema_migrations')).toEqual([{ v: 16 }]);

    await h.restartWorker();
    await until(() => h.graph.messagesTo(CUSTOMER).length === 1, 10_000, 'the queued reply');
    const sent = h.graph.messagesTo(CUSTOMER)[0]!;
    expect(sent.body).toMatchObject({ to: CUSTOMER, type: 'text', text: { body: 'Чистка стоит 15 000 ₸.' } });
    expect(sent.token).toBe(SMILE.token);
    await until(() => h.query<{ s: string }>('SELECT delivery_status AS s FROM messages WHERE id = ?', messageId)[0]?.s === 'sent', 5000, 'the message marked sent');
    expect(h.query('SELECT kind, state FROM jobs WHERE trace_id LIKE ? ORDER BY id', 'trace-old-%')).toEqual([
      { kind: 'deliver_message', state: 'done' }, { kind: 'deliver_message', state: 'dead' },
    ]);
    expect(h.query("SELECT count(*) AS n FROM jobs WHERE kind = 'send_whatsapp'")).toEqual([{ n: 0 }]);
    const accountId = h.query<{ id: number }>("SELECT id FROM channel_accounts WHERE channel = 'whatsapp'")[0]!.id;
    expect(h.query("SELECT json_extract(payload, '$.channelAccountId') AS a FROM jobs WHERE trace_id = 'trace-old-2'")).toEqual([{ a: accountId }]);

    // The dead job of the old kind is retried by the operator and delivered by the new one.
    const { botctl } = await import('../helpers/cli.js');
    const deadId = h.query<{ id: number }>("SELECT id FROM jobs WHERE trace_id = 'trace-old-2'")[0]!.id;
    const retried = await botctl(['jobs', 'retry', String(deadId)], h.cell.env);
    expect(retried.exitCode, retried.stderr).toBe(0);
    await until(() => h.graph.messagesTo(CUSTOMER).length === 2, 10_000, 'the retried reply');
    expect((h.graph.messagesTo(CUSTOMER)[1]!.body.text as { body: string }).body).toBe('Мы открыты с 9:00.');
    await until(() => h.query<{ s: string }>('SELECT delivery_status AS s FROM messages WHERE id = ?', deadMessageId)[0]?.s === 'sent', 5000, 'the retried message marked sent');
  }, 60_000);
});
