import { describe, expect, test } from 'vitest';
import { FAMILIES, inVersion, SPECS, upgradeRow, type Family } from '../../../../src/tenants/transfer/format.js';
import { referenceTarget } from '../../../../src/tenants/transfer/validate-record.js';
import { atRestContext, SECRET_FAMILIES, secretFields, transportField } from '../../../../src/tenants/transfer/secret-fields.js';
import { migratedDb } from '../../../helpers/migrated-db.js';

describe('the tenant export format covers the schema', () => {
  const { db } = migratedDb();
  const columns = (table: string) => (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name).sort();
  const familyOf = (table: string) => FAMILIES.find((f) => SPECS[f].table === table);

  // A migration that adds a column to a carried table fails here until the format carries it (and its version is raised).
  test.each(FAMILIES.map((f) => [f]))('%s: every column of its table is a field, and every field a column', (family) => {
    const spec = SPECS[family];
    const fields = Object.entries(spec.fields).map(([name, type]) => (type === 'secret?' ? `${name}_enc` : name));
    const implied = family === 'tenant' ? [] : ['tenant_id'];
    expect([...fields, ...implied].sort()).toEqual(columns(spec.table));
  });

  // A foreign key carried as a plain number would point at another tenant's row on the target.
  test.each(FAMILIES.map((f) => [f]))('%s: every foreign key but the tenant is a reference to the family of its table', (family) => {
    const spec = SPECS[family];
    const keys = db.prepare(`SELECT "from" AS col, "table" AS target FROM pragma_foreign_key_list('${spec.table}')`).all() as { col: string; target: string }[];
    for (const { col, target } of keys.filter((k) => k.col !== 'tenant_id')) {
      expect(referenceTarget(spec.fields[col]!), `${spec.table}.${col}`).toBe(familyOf(target));
    }
  });

  test('every table that holds tenant rows is either carried or knowingly left behind', () => {
    const withTenant = (db.prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'tenant_id')").all() as { name: string }[]).map((t) => t.name);
    const carried = new Set(FAMILIES.map((f) => SPECS[f].table));
    // jobs: pending work stays with the cell that has it (import queues only cards and customer reminders its rows need);
    // integration_events, webhook_deliveries: the integrations outbox and its delivery log, snapshots naming the source's
    // ids whose pending deliveries are jobs of the source, pruned after their retention (export warns while any is pending);
    // trace_events: diagnostics keyed by the source's ids and jobs; webhook_rejections: support records of deliveries
    // this cell received; kb_vectors: recomputed by the new cell's embed job (its model may differ); desk_digest_pages,
    // job_fair_clock: the group's waiting list and the queue's fairness clock of this cell; dashboard_links,
    // dashboard_sessions: logins to this cell's dashboard (the owner asks the bot again after a move).
    expect(withTenant.filter((t) => !carried.has(t)).sort()).toEqual(['dashboard_links', 'dashboard_sessions', 'desk_digest_pages', 'integration_events', 'job_fair_clock', 'jobs', 'kb_vectors', 'trace_events', 'webhook_deliveries', 'webhook_rejections']);
  });

  test('every secret column is carried sealed, bound to its row, with the context it is stored under', () => {
    // Sealed columns are named `<field>_enc` (migration 0001): each is a secret field of a family.
    const secretColumns = (db.prepare("SELECT m.name AS tbl, c.name AS col FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name LIKE '%\\_enc' ESCAPE '\\'").all() as { tbl: string; col: string }[])
      .map((c) => `${c.tbl}.${c.col}`).sort();
    const carried = SECRET_FAMILIES.flatMap((f) => secretFields(f).map((field) => `${SPECS[f].table}.${field}_enc`)).sort();
    expect(carried).toEqual(secretColumns);
    const row = { id: 4, channel: 'telegram', provider: 'amocrm' };
    expect(atRestContext('channel_account', row, 'access_token', 'smile', 9)).toBe('tenant:smile:telegram.customer_bot_token');
    expect(atRestContext('webhook_endpoint', row, 'previous_secret', 'smile', 9)).toBe('tenant:smile:webhook.9.secret');
    expect(atRestContext('crm_connection', row, 'secret', 'smile', 9)).toBe('tenant:smile:amocrm.credential');
    expect(() => atRestContext('channel_account', { ...row, channel: 'instagram' }, 'app_secret', 'smile', 9)).toThrow(/does not know how to move the app_secret of a instagram account/);
    // Each secret has its own name in the file, so a sealed value copied to another field does not open there.
    const names = SECRET_FAMILIES.flatMap((f) => secretFields(f).map((field) => transportField(f, row, field)));
    expect(new Set(names).size).toBe(carried.length);
  });

  test('a format 1 tenant row reads as using the cell\'s knowledge budget; format 2 and 3 rows are kept as written', () => {
    expect(upgradeRow(1, 'tenant', { id: 7, slug: 'smile' })).toEqual({ id: 7, slug: 'smile', dashboard_managers: 1, digest: 'off', digest_sent_for: null, knowledge_budget_tokens: null });
    expect(upgradeRow(2, 'tenant', { id: 7, knowledge_budget_tokens: 20000 })).toEqual({ id: 7, knowledge_budget_tokens: 20000 });
    expect(upgradeRow(3, 'contact', { id: 7, handle: null })).toEqual({ id: 7, handle: null });
    expect(upgradeRow(1, 'prompt', { id: 1 })).toEqual({ id: 1 });
  });

  test('the sales and integration families are version 3 only, and come after every family of version 2', () => {
    const v3: Family[] = FAMILIES.filter((f) => !inVersion(f, 2));
    expect(v3.map((f) => SPECS[f].table).sort()).toEqual(['crm_connections', 'crm_links', 'sales_booking_events', 'sales_bookings', 'sales_held_messages', 'sales_offer_events',
      'sales_offers', 'sales_reminders', 'sales_services', 'sales_settings', 'webhook_endpoints', 'whatsapp_templates']);
    expect(FAMILIES.slice(-v3.length)).toEqual(v3);
    expect(v3.every((f) => inVersion(f, 3))).toBe(true);
  });
});
