import { describe, expect, test } from 'vitest';
import type { DomainEvent } from '../../../src/conversation/integration-events.js';
import { IntegrationOutbox } from '../../../src/integrations/outbox.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { SqlIntegrationEventStore } from '../../../src/storage/integration-event-store.js';
import { migratedDb } from '../../helpers/migrated-db.js';

/** A real schema with one tenant, one contact and one handover; a queue that records what it is given. */
function setUp(integrations: { endpoints?: string[][]; crm?: string[] }) {
  const { db } = migratedDb();
  const now = 1_780_000_000_000;
  db.prepare("INSERT INTO tenants (id, slug, name, timezone, created_at, updated_at) VALUES (1, 'acme', 'Acme', 'Asia/Almaty', ?, ?)").run(now, now);
  db.prepare("INSERT INTO tenants (id, slug, name, timezone, created_at, updated_at) VALUES (2, 'other', 'Other', 'Asia/Almaty', ?, ?)").run(now, now);
  db.prepare("INSERT INTO channel_accounts (id, tenant_id, channel, external_id, created_at, updated_at) VALUES (1, 1, 'whatsapp', '1', ?, ?)").run(now, now);
  db.prepare("INSERT INTO contacts (id, tenant_id, channel_account_id, provider_id, phone, display_name, created_at, updated_at) VALUES (7, 1, 1, '77010000007', '77010000007', 'Aigerim', ?, ?)").run(now, now);
  db.prepare("INSERT INTO conversations (id, tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (1, 1, 7, 'waiting', ?, ?, ?)").run(now, now, now);
  db.prepare("INSERT INTO handovers (id, tenant_id, conversation_id, contact_id, number, status, reason, summary, created_at, updated_at) VALUES (3, 1, 1, 7, 1, 'waiting', 'price', 'Whitening', ?, ?)").run(now, now);
  for (const [i, events] of (integrations.endpoints ?? []).entries()) {
    db.prepare("INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_enc, created_at, updated_at) VALUES (?, 1, 'https://h.example.com', ?, x'00', ?, ?)").run(i + 1, JSON.stringify(events), now, now);
  }
  for (const provider of integrations.crm ?? []) db.prepare("INSERT INTO crm_connections (tenant_id, provider, secret_enc, created_at, updated_at) VALUES (1, ?, x'00', ?, ?)").run(provider, now, now);
  const jobs: JobSpec[] = [];
  const outbox = new IntegrationOutbox({ store: new SqlIntegrationEventStore(db), queue: { enqueue: (spec) => jobs.push(spec) }, clock: () => now });
  const events = () => db.prepare('SELECT type, contact_id AS contactId, payload FROM integration_events ORDER BY id').all() as { type: string; contactId: number; payload: string }[];
  return { db, jobs, outbox, events };
}

const opened: DomainEvent = { type: 'handover.opened', tenantId: 1, contactId: 7, handoverId: 3 };

describe('the integrations outbox', () => {
  test('a tenant without integrations: nothing stored, nothing enqueued', () => {
    const { outbox, jobs, events } = setUp({});
    outbox.emit(opened);
    expect([jobs, events()]).toEqual([[], []]);
  });

  test.each([
    ['an endpoint subscribed to it', { endpoints: [['handover.opened']] }, opened, ['integrations.webhook_deliver webhook:1:contact:7']],
    ['an endpoint not subscribed to it', { endpoints: [['message.created']] }, opened, []],
    ['two endpoints and both CRMs', { endpoints: [['handover.opened'], ['handover.opened', 'handover.resolved']], crm: ['amocrm', 'bitrix24'] }, opened,
      ['integrations.webhook_deliver webhook:1:contact:7', 'integrations.webhook_deliver webhook:2:contact:7', 'integrations.crm_sync crm:amocrm:contact:7', 'integrations.crm_sync crm:bitrix24:contact:7']],
    ['a CRM, for an event CRMs do not get', { crm: ['amocrm'] }, { type: 'contact.updated', tenantId: 1, contactId: 7 } as DomainEvent, []],
    ['another tenant\'s event', { endpoints: [['handover.opened']] }, { ...opened, tenantId: 2 } as DomainEvent, []],
  ])('%s', (_, integrations, event, expected) => {
    const { outbox, jobs } = setUp(integrations);
    outbox.emit(event);
    expect(jobs.map((j) => `${j.kind} ${j.concurrencyKey}`)).toEqual(expected);
  });

  test('the payload is a snapshot of the rows at the time of the cause, valid for its schema', () => {
    const { outbox, events, db, jobs } = setUp({ endpoints: [['handover.opened']] });
    outbox.emit(opened);
    db.prepare("UPDATE handovers SET status = 'resolved' WHERE id = 3").run();
    const payload = JSON.parse(events()[0]!.payload) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'handover.opened', version: 1, tenant: 'acme', created_at: '2026-05-28T20:26:40.000Z',
      data: { contact: { id: 7, phone: '77010000007', name: 'Aigerim', locale: null }, handover: { id: 3, number: 1, status: 'waiting', reason: 'price', summary: 'Whitening' } },
    });
    expect(payload.id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(jobs[0]).toMatchObject({ maxAttempts: 16, tenantId: 1 });
  });
});

describe('pruning the event log', () => {
  test('old events go with their deliveries; an old event still pending delivery stays; recent ones stay', () => {
    const { db } = setUp({});
    const store = new SqlIntegrationEventStore(db);
    const day = 86_400_000;
    db.prepare("INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret_enc, created_at, updated_at) VALUES (1, 1, 'https://h.example.com', '[]', x'00', 0, 0)").run();
    const event = (at: number, state: string | null) => {
      const id = store.insertEvent({ tenantId: 1, contactId: 7, type: 'message.created', now: at });
      if (state) db.prepare('INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, state, created_at, updated_at) VALUES (1, 1, ?, ?, ?, ?)').run(id, state, at, at);
      return id;
    };
    const now = 100 * day;
    const oldDelivered = event(now - 40 * day, 'delivered');
    const oldFailed = event(now - 40 * day, 'failed');
    const oldPending = event(now - 40 * day, 'pending');
    const oldCrmOnly = event(now - 40 * day, null);
    const recent = event(now - 2 * day, 'delivered');
    expect(store.prune(now - 30 * day, 2)).toBe(3);
    const left = (db.prepare('SELECT id FROM integration_events ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(left).toEqual([oldPending, recent]);
    expect(db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get()).toEqual({ n: 2 });
    void oldDelivered; void oldFailed; void oldCrmOnly;
  });
});
