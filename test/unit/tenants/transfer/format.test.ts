import { describe, expect, test } from 'vitest';
import { FAMILIES, SPECS, upgradeRow } from '../../../../src/tenants/transfer/format.js';
import { migratedDb } from '../../../helpers/migrated-db.js';

describe('the tenant export format covers the schema', () => {
  const { db } = migratedDb();
  const columns = (table: string) => (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name).sort();

  // A migration that adds a column to a carried table fails here until the format carries it (and its version is raised).
  test.each(FAMILIES.map((f) => [f]))('%s: every column of its table is a field, and every field a column', (family) => {
    const spec = SPECS[family];
    const fields = Object.entries(spec.fields).map(([name, type]) => (type === 'secret?' ? `${name}_enc` : name));
    const implied = family === 'tenant' ? [] : ['tenant_id'];
    expect([...fields, ...implied].sort()).toEqual(columns(spec.table));
  });

  test('every table that holds tenant rows is either carried or knowingly left behind', () => {
    const withTenant = (db.prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'tenant_id')").all() as { name: string }[]).map((t) => t.name);
    const carried = new Set(FAMILIES.map((f) => SPECS[f].table));
    // jobs: pending work stays with the cell that has it; trace_events: diagnostics keyed by the source's ids and jobs;
    // webhook_rejections: support records of deliveries this cell received.
    // kb_vectors: recomputed by the new cell's embed job (its model may differ); desk_digest_pages, job_fair_clock:
    // the group's waiting list and the queue's fairness clock of this cell.
    // dashboard_links, dashboard_sessions: logins to this cell's dashboard (the owner asks the bot again after a move).
    // Sales (not carried yet, a known gap): services, offers, WhatsApp templates, settings, bookings and their
    // reminders must be set up again on the new cell.
    // Integrations (not carried yet): the event log and deliveries stay like jobs; endpoints, CRM connections and
    // links must be set up again on the new cell (their secrets would need the transport re-sealing of channel secrets).
    expect(withTenant.filter((t) => !carried.has(t)).sort()).toEqual(['crm_connections', 'crm_links', 'dashboard_links', 'dashboard_sessions', 'desk_digest_pages', 'integration_events', 'job_fair_clock', 'jobs', 'kb_vectors', 'sales_booking_events', 'sales_bookings', 'sales_held_messages', 'sales_offer_events', 'sales_offers', 'sales_reminders', 'sales_services', 'sales_settings', 'trace_events', 'webhook_deliveries', 'webhook_endpoints', 'webhook_rejections', 'whatsapp_templates']);
  });

  test('a format 1 tenant row reads as using the cell\'s knowledge budget; format 2 rows are kept as written', () => {
    expect(upgradeRow(1, 'tenant', { id: 7, slug: 'smile' })).toEqual({ id: 7, slug: 'smile', dashboard_managers: 1, digest: 'off', digest_sent_for: null, knowledge_budget_tokens: null });
    expect(upgradeRow(2, 'tenant', { id: 7, knowledge_budget_tokens: 20000 })).toEqual({ id: 7, knowledge_budget_tokens: 20000 });
    expect(upgradeRow(1, 'prompt', { id: 1 })).toEqual({ id: 1 });
  });
});
