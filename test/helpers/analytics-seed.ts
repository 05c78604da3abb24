import type { Db } from '../../src/storage/open-db.js';

/** Rows for the owner's numbers, written straight into a migrated cell database (tests and the benchmark). */
export interface SeedTenant {
  id: number;
  slug: string;
  channelAccountId: number;
}

export function seedTenant(db: Db, input: { slug: string; name?: string; timezone?: string; locale?: string; businessHours?: string | null; chatId?: number | null; ownerChatId?: number | null; phoneNumberId?: string }): SeedTenant {
  const now = Date.UTC(2026, 0, 1);
  const id = Number(db.prepare(`INSERT INTO tenants (slug, name, locale, timezone, business_hours, telegram_chat_id, owner_chat_id, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(input.slug, input.name ?? input.slug, input.locale ?? 'en', input.timezone ?? 'Europe/Moscow', input.businessHours ?? null,
    input.chatId ?? null, input.ownerChatId ?? null, now, now).lastInsertRowid);
  const channelAccountId = Number(db.prepare(`INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, 'whatsapp', ?, ?, ?)`)
    .run(id, input.phoneNumberId ?? String(1_000_000 + id), now, now).lastInsertRowid);
  return { id, slug: input.slug, channelAccountId };
}

export interface SeedContact {
  id: number;
  conversationId: number;
}

export function seedContact(db: Db, tenant: SeedTenant, input: { name: string | null; phone: string; at: number }): SeedContact {
  const id = Number(db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .run(tenant.id, tenant.channelAccountId, input.phone, input.name, input.phone, input.at, input.at).lastInsertRowid);
  const conversationId = Number(db.prepare(`INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)`)
    .run(tenant.id, id, input.at, input.at, input.at).lastInsertRowid);
  return { id, conversationId };
}

let seq = 0;
export function seedMessage(db: Db, tenant: SeedTenant, contact: SeedContact, input: { at: number; author: 'customer' | 'bot' | 'manager'; body: string; handoverId?: number | null; status?: string; authorName?: string; type?: string }): number {
  const inbound = input.author === 'customer';
  return Number(db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, handover_id, direction, author_kind, author_name, type, body, provider_message_id,
      delivery_status, outcome, trace_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(tenant.id, tenant.channelAccountId, contact.id, input.handoverId ?? null, inbound ? 'inbound' : 'outbound', input.author, input.authorName ?? null, input.type ?? 'text', input.body,
      `wamid.seed${++seq}.${tenant.id}.${input.at}`, input.status ?? (inbound ? 'received' : 'read'), inbound ? 'replied' : null, `trace-${seq}`, input.at, input.at).lastInsertRowid);
}

export interface SeedHandover {
  number: number;
  createdAt: number;
  cause: string;
  question?: string;
  taken?: { at: number; id: number; name: string };
  firstResponseAt?: number;
  resolved?: { at: number; id: number | null; name: string; kind?: 'manager' | 'operator' };
  remindersAfterTake?: number[];
  remindersUntaken?: number[];
}

/** A handover with its events and reminders; the conversation's state follows it when it is still open. */
export function seedHandover(db: Db, tenant: SeedTenant, contact: SeedContact, h: SeedHandover): number {
  const status = h.resolved ? 'resolved' : h.taken ? 'taken' : 'waiting';
  const id = Number(db.prepare(`INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, cause, question, created_at, assigned_to_id, assigned_to_name,
      taken_at, first_response_at, resolved_by_id, resolved_by_name, resolved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(tenant.id, contact.conversationId, contact.id, h.number, status, `seeded: ${h.cause}`, h.cause, h.question ?? null, h.createdAt, h.taken?.id ?? null, h.taken?.name ?? null,
      h.taken?.at ?? null, h.firstResponseAt ?? null, h.resolved?.id ?? null, h.resolved?.name ?? null, h.resolved?.at ?? null, h.createdAt).lastInsertRowid);
  const event = db.prepare(`INSERT INTO handover_events (tenant_id, handover_id, event, from_state, to_state, actor_kind, actor_id, actor_name, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  event.run(tenant.id, id, 'created', 'bot', 'waiting', 'bot', null, null, h.cause, h.createdAt);
  if (h.taken) event.run(tenant.id, id, 'taken', 'waiting', 'human', 'manager', h.taken.id, h.taken.name, null, h.taken.at);
  if (h.resolved) event.run(tenant.id, id, 'resolved', h.taken ? 'human' : 'waiting', 'bot', h.resolved.kind ?? 'manager', h.resolved.id, h.resolved.name, null, h.resolved.at);
  const reminder = db.prepare(`INSERT INTO desk_messages (tenant_id, handover_id, chat_id, telegram_message_id, kind, created_at) VALUES (?, ?, -100, ?, 'reminder', ?)`);
  for (const at of [...(h.remindersUntaken ?? []), ...(h.remindersAfterTake ?? [])]) reminder.run(tenant.id, id, ++seq, at);
  if (!h.resolved) db.prepare('UPDATE conversations SET state = ?, handover_id = ? WHERE id = ?').run(h.taken ? 'human' : 'waiting', id, contact.conversationId);
  return id;
}

/** Local wall-clock time in Moscow (UTC+3 all year) as epoch ms: `msk('2026-11-02 10:00:05')`. */
export function msk(local: string): number {
  return Date.parse(`${local.replace(' ', 'T')}+03:00`);
}

const S = 1000;
const MIN = 60 * S;

/**
 * The clinic the tests know the answers for (range 2026-11-02 … 2026-11-03, Moscow; hours mon-fri 09:00-18:00):
 * Alice (bot alone), Bob (handed over, no knowledge, taken and resolved by Dana), Gina (no knowledge, resolved by
 * the operator, never taken), Carol (starts 23:50 on the 2nd, asks for a human after midnight, never taken, still
 * waiting), Dave (no knowledge, taken by Eve who has since left the group, reminded twice, resolved by Dana), Erin
 * (a conversation that began the day before the range), Frank (after it). Expected numbers:
 * test/unit/analytics/analytics.test.ts.
 */
export function seedClinic(db: Db, slug = 'clinic', extra: { chatId?: number; ownerChatId?: number; locale?: string } = {}) {
  const t = seedTenant(db, { slug, name: 'Smile Clinic', timezone: 'Europe/Moscow', businessHours: JSON.stringify({ mon: [[540, 1080]], tue: [[540, 1080]], wed: [[540, 1080]], thu: [[540, 1080]], fri: [[540, 1080]] }), chatId: extra.chatId ?? -1001, ownerChatId: extra.ownerChatId ?? 42, locale: extra.locale ?? 'en' });
  const contact = (name: string, phone: string) => seedContact(db, t, { name, phone, at: msk('2026-11-01 00:00') });
  const alice = contact('Alice', '77010000001');
  seedMessage(db, t, alice, { at: msk('2026-11-02 10:00:00'), author: 'customer', body: 'How much is a cleaning?' });
  seedMessage(db, t, alice, { at: msk('2026-11-02 10:00:05'), author: 'bot', body: 'A professional cleaning is 15,000 ₸.' });
  seedMessage(db, t, alice, { at: msk('2026-11-02 10:01:00'), author: 'customer', body: 'Thanks' });
  seedMessage(db, t, alice, { at: msk('2026-11-02 10:01:03'), author: 'bot', body: 'You are welcome!' });

  const bob = contact('Bob', '77010000002');
  seedMessage(db, t, bob, { at: msk('2026-11-02 11:00:00'), author: 'customer', body: 'Do you do tongue piercing?' });
  const h1 = seedHandover(db, t, bob, { number: 1, createdAt: msk('2026-11-02 11:00:10'), cause: 'no_knowledge', question: 'Do you do tongue piercing?',
    taken: { at: msk('2026-11-02 11:02:10'), id: 501, name: 'Dana' }, firstResponseAt: msk('2026-11-02 11:04:10'), resolved: { at: msk('2026-11-02 11:30:10'), id: 501, name: 'Dana' } });
  seedMessage(db, t, bob, { at: msk('2026-11-02 11:00:10'), author: 'bot', body: 'I passed your question to a manager.', handoverId: h1 });
  seedMessage(db, t, bob, { at: msk('2026-11-02 11:04:10'), author: 'manager', authorName: 'Dana', body: 'No, we do not, sorry.', handoverId: h1, status: 'delivered' });

  const gina = contact('Gina', '77010000007');
  seedMessage(db, t, gina, { at: msk('2026-11-02 15:00:00'), author: 'customer', body: 'Do you accept bitcoin?' });
  seedHandover(db, t, gina, { number: 2, createdAt: msk('2026-11-02 15:00:01'), cause: 'no_knowledge', question: 'Do you accept bitcoin?', resolved: { at: msk('2026-11-02 15:10:01'), id: null, name: 'operator', kind: 'operator' } });

  const carol = contact('Carol', '77010000003');
  seedMessage(db, t, carol, { at: msk('2026-11-02 23:50:00'), author: 'customer', body: 'Are you open tomorrow?' });
  seedMessage(db, t, carol, { at: msk('2026-11-02 23:50:20'), author: 'bot', body: 'Yes, from 9:00.' });
  seedMessage(db, t, carol, { at: msk('2026-11-03 00:10:00'), author: 'customer', body: 'I want to talk to a person' });
  const h3 = seedHandover(db, t, carol, { number: 3, createdAt: msk('2026-11-03 00:10:30'), cause: 'model_handover', question: 'I want to talk to a person', remindersUntaken: [msk('2026-11-03 00:15:30')] });
  seedMessage(db, t, carol, { at: msk('2026-11-03 00:10:30'), author: 'bot', body: 'A manager will answer when we open.', handoverId: h3 });

  const dave = contact('Dave', '77010000004');
  seedMessage(db, t, dave, { at: msk('2026-11-03 09:30:00'), author: 'customer', body: 'Is tongue piercing possible?' });
  const h4 = seedHandover(db, t, dave, { number: 4, createdAt: msk('2026-11-03 09:30:30'), cause: 'no_knowledge', question: 'Is tongue piercing possible?',
    taken: { at: msk('2026-11-03 09:40:30'), id: 502, name: 'Eve' }, firstResponseAt: msk('2026-11-03 09:45:30'), resolved: { at: msk('2026-11-03 10:00:30'), id: 501, name: 'Dana' },
    remindersAfterTake: [msk('2026-11-03 09:41:30'), msk('2026-11-03 09:43:30')] });
  seedMessage(db, t, dave, { at: msk('2026-11-03 09:30:30'), author: 'bot', body: 'I passed your question to a manager.', handoverId: h4 });
  seedMessage(db, t, dave, { at: msk('2026-11-03 09:45:30'), author: 'manager', authorName: 'Eve', body: 'Not at the moment.', handoverId: h4, status: 'failed' });

  const erin = contact('Erin', '77010000005');
  seedMessage(db, t, erin, { at: msk('2026-11-01 22:00:00'), author: 'customer', body: 'Hello' });
  seedMessage(db, t, erin, { at: msk('2026-11-01 22:00:02'), author: 'bot', body: 'Hello! How can I help?' });
  seedMessage(db, t, erin, { at: msk('2026-11-02 08:00:00'), author: 'customer', body: 'Where are you?' });
  seedMessage(db, t, erin, { at: msk('2026-11-02 08:00:02'), author: 'bot', body: 'Abay avenue 1.' });

  const frank = contact('Frank', '77010000006');
  seedMessage(db, t, frank, { at: msk('2026-11-04 12:00:00'), author: 'customer', body: 'Hi' });
  return { tenant: t, contacts: { alice, bob, gina, carol, dave, erin, frank }, minute: MIN };
}
