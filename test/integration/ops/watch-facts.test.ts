import { afterEach, describe, expect, test } from 'vitest';
import { DatabaseFacts } from '../../../src/ops/watch/collect-database.js';
import { emptyFacts } from '../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS } from '../../../src/ops/watch/rule.js';
import { evaluateRules } from '../../../src/ops/watch/rules.js';
import type { Db } from '../../../src/storage/open-db.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A tenant with a WhatsApp account and one contact, ready for messages. */
function tenant(db: Db, slug: string, settings: { remindAfterMs?: number; remindMax?: number } = {}) {
  const id = insertTenant(db, slug, NOW - 30 * DAY);
  db.prepare('UPDATE tenants SET remind_after_ms = ?, remind_max = ? WHERE id = ?').run(settings.remindAfterMs ?? 300_000, settings.remindMax ?? 3, id);
  const account = Number(db.prepare("INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, 'whatsapp', ?, ?, ?)")
    .run(id, `10654035224${id}`, NOW, NOW).lastInsertRowid);
  const contact = Number(db.prepare('INSERT INTO contacts (tenant_id, channel_account_id, provider_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, account, `7701000000${id}`, NOW, NOW).lastInsertRowid);
  const message = db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, delivery_status, trace_id, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, 'text', 'hi', ?, 't', ?, ?)`);
  return {
    id, contact,
    inbound: (at: number) => message.run(id, account, contact, 'inbound', 'customer', 'received', at, at),
    outbound: (at: number, status: string) => message.run(id, account, contact, 'outbound', 'bot', status, at, at),
  };
}

/** Two weeks of a business's traffic: a message every 2 hours from 08:00 to 20:00, none at night. */
function businessDays(t: ReturnType<typeof tenant>, lastAt: number) {
  for (let day = 14; day >= 0; day--) {
    for (let hour = 8; hour <= 20; hour += 2) {
      const at = lastAt - day * DAY - (20 - hour) * HOUR;
      if (at <= lastAt) t.inbound(at);
    }
  }
}

describe('watch facts from a real database', () => {
  test('silence, failure rates, backlog and overdue handovers, as the rules see them', () => {
    const { db, dataDir } = migratedDb();
    open.push(db);
    const busy = tenant(db, 'busy');
    businessDays(busy, NOW - 30 * HOUR); // its nights are 12h long; 30h is far past 2× that
    const steady = tenant(db, 'steady');
    businessDays(steady, NOW - HOUR);
    const fresh = tenant(db, 'fresh');
    for (let i = 0; i < 60; i++) fresh.inbound(NOW - 3 * DAY + i * HOUR); // plenty of messages, but 3 days of history
    for (let i = 0; i < 12; i++) steady.outbound(NOW - i * MIN, i < 4 ? 'failed' : 'delivered');
    const llm = db.prepare("INSERT INTO llm_calls (tenant_id, purpose, at, duration_ms, outcome, error) VALUES (?, 'reply', ?, 900, ?, ?)");
    for (let i = 0; i < 10; i++) llm.run(steady.id, NOW - i * MIN, i < 4 ? 'timeout' : 'ok', i < 4 ? 'no answer within 1500 ms' : null);
    db.prepare("INSERT INTO jobs (kind, payload, state, max_attempts, run_at, created_at, updated_at) VALUES ('deliver_message', '{}', 'pending', 5, ?, ?, ?)").run(NOW - 10 * MIN, NOW - 10 * MIN, NOW - 10 * MIN);
    const quick = tenant(db, 'quick', { remindAfterMs: MIN, remindMax: 1 });
    for (const [t, ageMin, n] of [[quick, 3, 7], [steady, 3, 8]] as const) {
      const conversation = Number(db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'waiting', ?, ?, ?)")
        .run(t.id, t.contact, NOW, NOW, NOW).lastInsertRowid);
      db.prepare("INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, 'waiting', 'r', ?, ?)")
        .run(t.id, conversation, t.contact, n, NOW - ageMin * MIN, NOW);
    }

    const facts = emptyFacts(NOW, 'test');
    const source = new DatabaseFacts(dataDir, DEFAULT_LIMITS, 10 * MIN);
    try {
      source.apply(facts);
    } finally {
      source.close();
    }
    expect(facts.blind).toEqual([]);
    const found = Object.fromEntries(evaluateRules(facts, DEFAULT_LIMITS).filter((e) => e.findings?.length).map((e) => [e.rule.id, e.findings!.map((f) => f.summary)]));
    expect(found).toEqual({
      job_backlog: ['the oldest of 1 due jobs has waited 10m (limit 5m); 0 running'],
      outbound_failures: ['4 of 12 outbound messages failed in the last 15m (33%, limit 20%); most: steady 4'],
      llm_errors: ['4 of 10 LLM calls failed or timed out in the last 15m (40%, limit 30%); last: timeout: no answer within 1500 ms'],
      handover_overdue: ['quick: 1 request nobody took; #7 has waited 3m (every reminder went unanswered after 2m)'],
      tenant_silent: ['busy: no customer message for 1d 6h; its longest silence in the 14d before was 12h (99 messages)'],
    });
  });

  test('the per-tenant queries walk indexes, not every message of the cell', () => {
    const { db } = migratedDb();
    open.push(db);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const outbound = plan("SELECT count(*) FROM messages WHERE tenant_id IN (SELECT id FROM tenants) AND direction = 'outbound' AND created_at >= 0");
    expect(outbound).toContain('messages_tenant_created');
    const last = plan("SELECT (SELECT max(m.created_at) FROM messages m WHERE m.tenant_id = t.id AND m.direction = 'inbound') FROM tenants t");
    expect(last).toContain('messages_tenant_created');
    expect(plan("SELECT min(run_at) FROM jobs WHERE state = 'pending' AND run_at <= 0")).toContain('jobs_due');
  });
});
