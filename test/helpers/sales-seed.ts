import { integrationEvents } from '../../src/integrations/outbox.js';
import { CrmSync } from '../../src/integrations/crm-sync.js';
import { RatePacer } from '../../src/integrations/rate-pacer.js';
import { Queue } from '../../src/jobs/queue.js';
import type { Job } from '../../src/jobs/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { SqlCrmStore } from '../../src/storage/integration-crm-store.js';
import { JobStore } from '../../src/storage/job-store.js';
import { openDatabase, type Db } from '../../src/storage/open-db.js';
import { SqlBookingStore } from '../../src/storage/sales-bookings-store.js';
import { SqlHeldStore } from '../../src/storage/sales-held-store.js';
import { SqlOfferStore } from '../../src/storage/sales-offers-store.js';
import { SqlReminderStore } from '../../src/storage/sales-reminders-store.js';

export const HOUR = 3_600_000;
/** The customers seed() adds: one per channel of the tenant. */
export const CUSTOMERS = { whatsapp: '77011110001', instagram: '17841499999000001', telegram: '424242' } as const;

function withDb<T>(dataDir: string, fn: (db: Db) => T): T {
  const db = openDatabase(dataDir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * What a tenant's customers did with its sales features, written with the sales stores where they exist (no
 * command creates bookings: the bot does): a customer per channel, a resolved request of the WhatsApp customer,
 * a booking confirmed by a manager (its reminder 24 h before already sent, the 2 h one pending) after an offer,
 * a booking still waiting for a decision with its card, and a manager's message held after a re-engagement template.
 * The tenant needs its WhatsApp, Instagram and Telegram accounts and an offer already.
 */
export function seedSales(dataDir: string, slug: string, now: number): void {
  withDb(dataDir, (db) => db.transaction(() => {
    const tenantId = (db.prepare('SELECT id FROM tenants WHERE slug = ?').get(slug) as { id: number }).id;
    const account = (channel: string) => (db.prepare('SELECT id FROM channel_accounts WHERE tenant_id = ? AND channel = ?').get(tenantId, channel) as { id: number }).id;
    const contact = (channel: keyof typeof CUSTOMERS, name: string, handle: string | null) => Number(db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, phone, handle, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(tenantId, account(channel), CUSTOMERS[channel], name, channel === 'whatsapp' ? CUSTOMERS.whatsapp : null, handle, now - 5 * HOUR, now - 5 * HOUR).lastInsertRowid);
    const [aigerim, insta, berik] = [contact('whatsapp', 'Айгерим', null), contact('instagram', 'Aigerim Style', 'aigerim.style'), contact('telegram', 'Берик', 'berik_tg')];
    let n = 0;
    const message = (contactId: number, channel: string, m: { direction: string; author: string; body: string; status: string; error?: string; wamid?: string }) => Number(db.prepare(`INSERT INTO messages
      (tenant_id, channel_account_id, contact_id, direction, author_kind, author_name, type, body, provider_message_id, delivery_status, delivery_error, trace_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, ?, ?, ?)`).run(tenantId, account(channel), contactId, m.direction, m.author, m.author === 'manager' ? 'Алия' : null, m.body, m.wamid ?? null,
      m.status, m.error ?? null, `seed-${++n}`, now - 4 * HOUR + n, now - 4 * HOUR + n).lastInsertRowid);
    message(aigerim, 'whatsapp', { direction: 'inbound', author: 'customer', body: 'Запишите на чистку', status: 'received', wamid: 'wamid.SEED1' });
    message(insta, 'instagram', { direction: 'inbound', author: 'customer', body: 'Сколько стоит отбеливание?', status: 'received', wamid: 'ig.mid.SEED2' });
    message(berik, 'telegram', { direction: 'inbound', author: 'customer', body: 'Хочу записаться на субботу', status: 'received', wamid: '424242:17' });

    const conversation = Number(db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)")
      .run(tenantId, aigerim, now - 3 * HOUR, now - 5 * HOUR, now - 3 * HOUR).lastInsertRowid);
    db.prepare(`INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, summary, created_at, resolved_by_name, resolved_at, updated_at)
      VALUES (?, ?, ?, 1, 'resolved', 'хочет записаться', 'Чистка завтра в 15:00', ?, 'Алия', ?, ?)`).run(tenantId, conversation, aigerim, now - 4 * HOUR, now - 3 * HOUR, now - 3 * HOUR);

    const bookings = new SqlBookingStore(db);
    const offerId = (db.prepare('SELECT id FROM sales_offers WHERE tenant_id = ? ORDER BY id LIMIT 1').get(tenantId) as { id: number }).id;
    const offers = new SqlOfferStore(db);
    offers.record(tenantId, offerId, aigerim, 'offered', now - 4 * HOUR);
    const confirmed = bookings.create({ tenantId, contactId: aigerim, service: 'Чистка', preferredTime: 'завтра в 15:00', customerName: 'Айгерим', locale: 'ru', createdAt: now - 4 * HOUR + 100, appointmentAt: now + 26 * HOUR, traceId: 'trace-booking-1' });
    bookings.recordCard(tenantId, confirmed, -1001000000077, 501);
    bookings.move(tenantId, confirmed, 'requested', 'confirmed', { kind: 'manager', id: 5101, name: 'Алия' }, now - 3 * HOUR);
    offers.record(tenantId, offerId, aigerim, 'accepted', now - 3 * HOUR, confirmed);
    const reminders = new SqlReminderStore(db);
    const sent = reminders.schedule(tenantId, confirmed, 24 * HOUR, now - HOUR)!;
    const sentMessage = message(aigerim, 'whatsapp', { direction: 'outbound', author: 'system', body: 'Напоминаем: чистка завтра в 15:00', status: 'delivered', wamid: 'wamid.SEED-REMIND' });
    reminders.markSent(tenantId, sent, 'text', sentMessage, now - HOUR);
    reminders.schedule(tenantId, confirmed, 2 * HOUR, now + 24 * HOUR);

    const requested = bookings.create({ tenantId, contactId: berik, service: 'Отбеливание', preferredTime: 'в субботу утром', customerName: 'Берик', locale: 'ru', createdAt: now - 2 * HOUR, appointmentAt: null, traceId: null });
    bookings.recordCard(tenantId, requested, -1001000000077, 502);

    const refused = message(aigerim, 'whatsapp', { direction: 'outbound', author: 'manager', body: 'Вы придёте завтра?', status: 'failed', error: '131047 Re-engagement message' });
    const template = message(aigerim, 'whatsapp', { direction: 'outbound', author: 'manager', body: 'Шаблон: продолжим разговор?', status: 'delivered', wamid: 'wamid.SEED-TEMPLATE' });
    const held = new SqlHeldStore(db);
    held.hold(tenantId, aigerim, refused, template, 'Алия', now - 90 * 60_000);
    const released = message(aigerim, 'whatsapp', { direction: 'outbound', author: 'manager', body: 'Вы придёте завтра? (снова)', status: 'delivered', wamid: 'wamid.SEED-RELEASED' });
    held.release(tenantId, held.waiting(tenantId, aigerim)[0]!.id, released, now - 60 * 60_000);
  })());
}

/**
 * Runs the CRM sync of one `handover.opened` event of a customer's latest request, as the worker would (the real
 * outbox, then the real job handler on this cell's key). Other jobs the event queued (webhook deliveries) are left.
 */
export async function crmSyncOnce(dataDir: string, secretKey: string, slug: string, providerId: string): Promise<void> {
  const db = openDatabase(dataDir);
  try {
    const ids = db.prepare(`SELECT t.id AS tenantId, c.id AS contactId, h.id AS handoverId FROM tenants t JOIN contacts c ON c.tenant_id = t.id
      JOIN handovers h ON h.contact_id = c.id WHERE t.slug = ? AND c.provider_id = ? ORDER BY h.id DESC LIMIT 1`).get(slug, providerId) as { tenantId: number; contactId: number; handoverId: number };
    db.transaction(() => integrationEvents(db, new Queue(new JobStore(db), null)).emit({ type: 'handover.opened', ...ids }))();
    const job = db.prepare("SELECT id, kind, tenant_id AS tenantId, payload FROM jobs WHERE kind = 'integrations.crm_sync' AND state = 'pending' ORDER BY id DESC LIMIT 1").get() as { id: number; payload: string };
    const sync = new CrmSync({ store: new SqlCrmStore(db), secrets: new SecretBox(Buffer.from(secretKey, 'base64')), pacer: new RatePacer(), clock: Date.now });
    await sync.run({ ...job, payload: JSON.parse(job.payload) } as unknown as Job, AbortSignal.timeout(10_000), createLogger({ level: 'silent' }));
    db.prepare("UPDATE jobs SET state = 'done', finished_at = ? WHERE id = ?").run(Date.now(), job.id);
  } finally {
    db.close();
  }
}
