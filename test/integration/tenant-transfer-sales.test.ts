import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INTEGRATION_SECRET } from '../../src/integrations/secret-contexts.js';
import { startAmoCrmSimulator, type AmoCrmSimulator } from '../../src/simulators/amocrm/index.js';
import { SECRET_CONTEXT } from '../../src/tenants/tenant-service.js';
import { FAMILIES, inVersion } from '../../src/tenants/transfer/format.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';
import { snapshot } from '../helpers/db.js';
import { crmSyncOnce, CUSTOMERS, HOUR, seedSales } from '../helpers/sales-seed.js';
import { openStoredSecret } from '../helpers/stored-secret.js';
import { tenantRows } from '../helpers/tenant-rows.js';
import { exportLines, writeVariant } from '../helpers/transfer-files.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

// Export format version 3: what a tenant sells and its integrations move with it (docs/decisions/0036-tenant-export-v3.md).
const PASSPHRASE = { BOTCTL_TRANSFER_PASSPHRASE: 'bookings and leads travel together' };
const IG_TOKEN = 'IGQVJsmileinstagramtoken0123456789abcdef';
const BOT_TOKEN = '7000000001:AAsmilecustomerbot0123456789abcdefghijk';
const AMO_TOKEN = 'amo-smile-long-lived-token-0123456789abcdef';
const V3_ROWS = ['salesSettings', 'services', 'templates', 'offers', 'bookings', 'bookingEvents', 'reminders', 'offerEvents', 'heldMessages', 'webhooks', 'crm', 'crmLinks'];

let a: TempCell;
let b: TempCell;
let c: TempCell;
let amo: AmoCrmSimulator;
let receiver: WebhookReceiver;
let file: string;
let hook: { id: number; secret: string; previous: string };
const run = (cell: TempCell, args: string[], env: Record<string, string> = {}) => botctl(args, { ...cell.env, ...env });
const ok = async (cell: TempCell, args: string[]) => {
  const result = await run(cell, args);
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
};
const query = <T>(cell: TempCell, sql: string, ...params: unknown[]): T[] => {
  const db = new Database(join(cell.dataDir, 'botctl.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
};
const services = (cell: TempCell, name: string, list: { name: string; duration: string; price?: string }[]) => {
  const path = join(cell.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(list));
  return path;
};
const addTenant = (cell: TempCell, slug: string, name: string, phoneNumberId: string) => ok(cell, ['tenant', 'add', slug, '--name', name, '--timezone', 'Asia/Almaty',
  '--whatsapp-phone-number-id', phoneNumberId, '--whatsapp-token', `EAAG${slug}token0123456789abcdefghijklmn`]);

beforeAll(async () => {
  [a, b, c] = await Promise.all([initCell(), initCell(), initCell()]);
  [amo, receiver] = await Promise.all([startAmoCrmSimulator({ token: AMO_TOKEN }), new WebhookReceiver([]).start()]);
  file = join(a.dir, 'smile.jsonl.gz');
  const source = async () => {
    await addTenant(a, 'smile', 'Smile Dental', '1000001');
    await addTenant(a, 'bolt', 'Bolt Garage', '1000002');
    await ok(a, ['tenant', 'update', 'smile', '--instagram-account-id', '17841400000000001', '--instagram-token', IG_TOKEN]);
    await ok(a, ['tenant', 'update', 'smile', '--telegram-customer-bot-token', BOT_TOKEN]);
    await ok(a, ['services', 'set', 'smile', '--file', services(a, 'smile', [{ name: 'Чистка', duration: '1h', price: '15 000 ₸' }, { name: 'Отбеливание', duration: '1h30m' }])]);
    await ok(a, ['services', 'set', 'bolt', '--file', services(a, 'bolt', [{ name: 'BOLT-OIL-CHANGE', duration: '45m' }])]);
    await ok(a, ['offers', 'add', 'smile', '--when', 'первый визит', '--text', 'Скидка 10% на первую чистку', '--service', 'Чистка']);
    await ok(a, ['tenant', 'templates', 'add', 'smile', '--name', 'reminder_ru', '--language', 'ru', '--params', 'name,service,time', '--purpose', 'reminder']);
    await ok(a, ['contact', 'retention', 'smile', '--days', '30']);
    const added = JSON.parse(await ok(a, ['integrations', 'webhook', 'add', 'smile', '--url', receiver.url, '--events', 'all', '--json'])) as { id: number; secret: string };
    const rotated = JSON.parse(await ok(a, ['integrations', 'webhook', 'rotate-secret', 'smile', String(added.id), '--overlap', '24h', '--json'])) as { secret: string };
    hook = { id: added.id, secret: rotated.secret, previous: added.secret };
    await ok(a, ['integrations', 'webhook', 'add', 'bolt', '--url', 'https://bolt.example.com/hooks/BOLT-HOOK', '--events', 'all']);
    await ok(a, ['integrations', 'amocrm', 'smile', '--subdomain', 'smiledental', '--token', AMO_TOKEN, '--api-url', amo.url]);
    seedSales(a.dataDir, 'smile', Date.now());
    // The source's CRM already knows the WhatsApp customer: the sync created a contact and a lead and stored the link.
    await crmSyncOnce(a.dataDir, a.secretKey, 'smile', CUSTOMERS.whatsapp);
    await ok(a, ['tenant', 'disable', 'smile']);
  };
  // The target's own tenant already has an endpoint and services, so the moved rows cannot keep their ids there.
  const target = async () => {
    await addTenant(b, 'kazan', 'Kazan Garage', '1000003');
    await ok(b, ['integrations', 'webhook', 'add', 'kazan', '--url', 'https://kazan.example.com/hooks', '--events', 'all']);
    await ok(b, ['services', 'set', 'kazan', '--file', services(b, 'kazan', [{ name: 'Шиномонтаж', duration: '30m' }])]);
  };
  await Promise.all([source(), target()]);
}, 120_000);
afterAll(async () => Promise.all([amo?.close(), receiver?.close()]));

describe('tenant export format version 3 carries what the tenant sells and its integrations', { timeout: 60_000 }, () => {
  test('export writes bookings, reminders, offers, templates, webhooks, the CRM and its links, secrets sealed, and nothing of the other tenant', async () => {
    expect(amo.leads).toHaveLength(1);
    const result = await run(a, ['tenant', 'export', 'smile', '--out', file], PASSPHRASE);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('format version 3');
    expect(result.stdout).toContain('2 services, 2 bookings, 1 offer, 1 webhook endpoint, 1 CRM connection');
    // The CRM event also queued webhook deliveries: they are not carried, and the operator is told.
    expect(result.stderr).toContain('webhook deliveries, CRM syncs or "forget me" requests of tenant smile are still pending here');

    const lines = exportLines(file);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      format_version: 3,
      counts: { channel_account: 3, sales_setting: 1, service: 2, whatsapp_template: 1, offer: 1, booking: 2, booking_event: 3, booking_reminder: 2, offer_event: 2, held_message: 1, webhook_endpoint: 1, crm_connection: 1, crm_link: 1 },
    });
    const text = lines.join('\n');
    for (const secret of [IG_TOKEN, BOT_TOKEN, AMO_TOKEN, hook.secret, hook.previous]) expect(text).not.toContain(secret);
    for (const other of ['BOLT-OIL-CHANGE', 'BOLT-HOOK', 'Bolt Garage']) expect(text).not.toContain(other);
    const endpoint = lines.map((l) => JSON.parse(l) as { type: string; row: Record<string, unknown> }).find((r) => r.type === 'webhook_endpoint')!;
    expect(endpoint.row).toMatchObject({ url: receiver.url, secret: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/), previous_secret: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) });
  });

  test('import into a cell with its own tenant writes every row with mapped references, re-seals each secret with its key, and queues the cards and reminders', async () => {
    const imported = await run(b, ['tenant', 'import', file], PASSPHRASE);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Bookings waiting for a decision: 1');
    expect(imported.stdout).toContain('Customer reminders of confirmed bookings queued here at their times: 1');
    expect(imported.stdout).toContain('the Instagram webhook of account 17841400000000001');
    expect(imported.stdout).toContain('connects the Telegram customer bot 7000000001 itself');

    const [before, after] = [tenantRows(a.dataDir, 'smile'), tenantRows(b.dataDir, 'smile')];
    expect(after).toEqual(before);
    for (const key of V3_ROWS) expect((after[key] as unknown[]).length, key).toBeGreaterThan(0);
    expect((after.accounts as { channel: string }[]).map((r) => r.channel)).toEqual(['instagram', 'telegram', 'whatsapp']);
    expect((await run(b, ['tenant', 'show', 'bolt'])).exitCode).toBe(1);
    expect(query(b, "SELECT count(*) AS n FROM sales_services WHERE name = 'BOLT-OIL-CHANGE'")).toEqual([{ n: 0 }]);

    // Booking ids start above every id the source used (a stale card button finds no booking of this tenant).
    const bookingIds = (cell: TempCell) => query<{ id: number }>(cell, "SELECT id FROM sales_bookings WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smile') ORDER BY id").map((r) => r.id);
    expect(Math.min(...bookingIds(b))).toBeGreaterThan(Math.max(...bookingIds(a)));
    const T = "(SELECT id FROM tenants WHERE slug = 'smile')";
    const requested = query<{ id: number; card: number | null }>(b, `SELECT id, card_message_id AS card FROM sales_bookings WHERE tenant_id = ${T} AND state = 'requested'`);
    expect(requested).toHaveLength(1);
    expect(requested[0]!.card).toBeNull();
    const unsent = query<{ id: number; due_at: number }>(b, `SELECT id, due_at FROM sales_reminders WHERE tenant_id = ${T} AND sent_at IS NULL`);
    expect(unsent).toHaveLength(1);
    expect(query(b, `SELECT kind, payload, run_at AS runAt FROM jobs WHERE tenant_id = ${T} ORDER BY kind`)).toEqual([
      { kind: 'sales.booking_card', payload: JSON.stringify({ bookingId: requested[0]!.id }), runAt: expect.any(Number) },
      { kind: 'sales.customer_reminder', payload: JSON.stringify({ reminderId: unsent[0]!.id }), runAt: unsent[0]!.due_at },
    ]);
    expect(unsent[0]!.due_at).toBeGreaterThan(Date.now() + 20 * HOUR);

    // Every secret opens with the target's key under the target's ids; the endpoint's id changed, and its secret moved with it.
    const account = (channel: string) => `SELECT access_token_enc AS v FROM channel_accounts WHERE tenant_id = ${T} AND channel = '${channel}'`;
    expect(openStoredSecret(b, account('instagram'), [], SECRET_CONTEXT.instagramToken('smile'))).toBe(IG_TOKEN);
    expect(openStoredSecret(b, account('telegram'), [], SECRET_CONTEXT.telegramCustomerBotToken('smile'))).toBe(BOT_TOKEN);
    const endpointId = query<{ id: number }>(b, `SELECT id FROM webhook_endpoints WHERE tenant_id = ${T}`)[0]!.id;
    expect(endpointId).not.toBe(hook.id);
    const webhook = (column: string) => `SELECT ${column} AS v FROM webhook_endpoints WHERE id = ?`;
    expect(openStoredSecret(b, webhook('secret_enc'), [endpointId], INTEGRATION_SECRET.webhook('smile', endpointId))).toBe(hook.secret);
    expect(openStoredSecret(b, webhook('previous_secret_enc'), [endpointId], INTEGRATION_SECRET.webhook('smile', endpointId))).toBe(hook.previous);
    expect(() => openStoredSecret(b, webhook('secret_enc'), [endpointId], INTEGRATION_SECRET.webhook('smile', hook.id))).toThrow();
    expect(openStoredSecret(b, `SELECT secret_enc AS v FROM crm_connections WHERE tenant_id = ${T}`, [], INTEGRATION_SECRET.crm('smile', 'amocrm'))).toBe(AMO_TOKEN);

    // The worker's own checks agree: the receiver verifies the signature, amoCRM accepts the token.
    receiver.secrets = [hook.secret];
    const tested = await run(b, ['integrations', 'test', 'smile']);
    expect(tested.exitCode, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain(`✓ smile webhook ${endpointId}`);
    expect(tested.stdout).toContain('✓ smile amocrm');
    for (const output of [imported.stdout, tested.stdout]) for (const secret of [IG_TOKEN, BOT_TOKEN, AMO_TOKEN, hook.secret]) expect(output).not.toContain(secret);
  });

  test('the moved customer\'s next request adds a note to the lead the source created, without searching or creating another', async () => {
    const [calls, lead] = [amo.requests.length, amo.leads[0]!.id];
    await crmSyncOnce(b.dataDir, b.secretKey, 'smile', CUSTOMERS.whatsapp);
    expect(amo.requests.slice(calls).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v4/leads/notes']);
    expect(amo.leads).toHaveLength(1);
    expect(amo.contacts).toHaveLength(1);
    expect(amo.notes.map((n) => n.entity_id)).toEqual([lead, lead]);
  });

  test('a customer bot another tenant of the target already has is refused with nothing written; a version 2 file still imports', async () => {
    await addTenant(c, 'squatter', 'Squatter', '1000009');
    await ok(c, ['tenant', 'update', 'squatter', '--telegram-customer-bot-token', BOT_TOKEN]);
    const before = snapshot(c.dataDir);
    const refused = await run(c, ['tenant', 'import', file], PASSPHRASE);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('telegram customer bot 7000000001 of tenant "smile" already answers the customers of tenant "squatter" on this cell, so the file was not imported');
    expect(refused.stderr).not.toContain(BOT_TOKEN);
    expect(snapshot(c.dataDir)).toEqual(before);
    await ok(c, ['tenant', 'remove', 'squatter', '--yes']);

    // The same tenant as a version 2 botctl wrote it: none of the families added since, no counts of them.
    const v3 = new Set<string>(FAMILIES.filter((f) => !inVersion(f, 2)));
    const lines = exportLines(file);
    const header = JSON.parse(lines[0]!) as { format_version: number; counts: Record<string, number> };
    header.format_version = 2;
    for (const family of v3) delete header.counts[family];
    const v2 = writeVariant(join(c.dir, 'smile-v2.jsonl'), [JSON.stringify(header), ...lines.slice(1).filter((l) => !v3.has((JSON.parse(l) as { type: string }).type))]);
    const imported = await run(c, ['tenant', 'import', v2], PASSPHRASE);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const rows = tenantRows(c.dataDir, 'smile');
    expect(rows).toEqual({ ...tenantRows(a.dataDir, 'smile'), ...Object.fromEntries(V3_ROWS.map((k) => [k, []])) });
    expect(openStoredSecret(c, "SELECT access_token_enc AS v FROM channel_accounts WHERE channel = 'telegram'", [], SECRET_CONTEXT.telegramCustomerBotToken('smile'))).toBe(BOT_TOKEN);
    expect(query(c, "SELECT kind FROM jobs WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smile')")).toEqual([]);
  });

  test('without secrets, each account, endpoint and CRM says how to get its secret; the CRM holds this cell\'s events until it is set', async () => {
    await ok(c, ['tenant', 'remove', 'smile', '--yes']);
    const out = join(a.dir, 'smile-no-secrets.jsonl');
    await ok(a, ['tenant', 'export', 'smile', '--out', out, '--without-secrets']);
    const imported = await run(c, ['tenant', 'import', out]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const endpointId = query<{ id: number }>(c, "SELECT id FROM webhook_endpoints WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smile')")[0]!.id;
    for (const warning of [
      'whatsapp 1000001 arrived without its token: set it with botctl tenant update smile --whatsapp-token',
      'instagram 17841400000000001 arrived without its token: set it with botctl tenant update smile --instagram-token',
      'telegram customer bot 7000000001 arrived without its token: set it with botctl tenant update smile --telegram-customer-bot-token',
      `webhook endpoint ${endpointId} (${receiver.url}) arrived without its signing secret: a new one was made here that nobody knows yet: run botctl integrations webhook rotate-secret smile ${endpointId} --overlap 0s`,
      'amocrm connection arrived without its credential: it is marked broken until you set it with botctl integrations amocrm smile --token',
    ]) expect(imported.stderr).toContain(warning);
    // The endpoint signs with a secret made here (never the source's), under its id on this cell.
    const made = openStoredSecret(c, 'SELECT secret_enc AS v FROM webhook_endpoints WHERE id = ?', [endpointId], INTEGRATION_SECRET.webhook('smile', endpointId));
    expect(made).toMatch(/^whsec_/);
    expect([hook.secret, hook.previous]).not.toContain(made);
    const [crm] = JSON.parse(await ok(c, ['integrations', 'list', 'smile', '--json'])).crm as { status: string; statusDetail: string }[];
    expect(crm).toMatchObject({ status: 'broken', statusDetail: 'its credential did not travel with the tenant (exported without secrets)' });

    // A request on this cell while the credential is missing is held, and sent once the operator sets it.
    const calls = amo.requests.length;
    await crmSyncOnce(c.dataDir, c.secretKey, 'smile', CUSTOMERS.whatsapp);
    expect(amo.requests.length).toBe(calls);
    expect(await ok(c, ['integrations', 'amocrm', 'smile', '--token', AMO_TOKEN])).toContain('1 event held while the connection was broken queued again.');
  });
});
