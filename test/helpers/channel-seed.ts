import type { Db } from '../../src/storage/open-db.js';
import { msk, seedContact, seedHandover, seedMessage, seedTenant, type SeedTenant } from './analytics-seed.js';

/**
 * Another channel account of a seeded tenant: the SeedTenant to pass to seedContact and seedMessage for customers
 * who write on `channel` (a tenant has at most one account per channel).
 */
export function seedChannelAccount(db: Db, tenant: SeedTenant, channel: 'instagram' | 'telegram' | 'whatsapp', externalId: string): SeedTenant {
  const now = Date.UTC(2026, 0, 1);
  const channelAccountId = Number(db.prepare('INSERT INTO channel_accounts (tenant_id, channel, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(tenant.id, channel, externalId, now, now).lastInsertRowid);
  return { ...tenant, channelAccountId };
}

/**
 * A flower shop on WhatsApp, Instagram and Telegram whose numbers per channel the tests know (range 2026-11-02 …
 * 2026-11-03, Moscow, no business hours):
 * - WhatsApp: Wanda (bot alone, first reply 4 s, 2 messages), Walt (bot 6 s, request #1 taken by Dana, her reply 3 min
 *   after it opened, resolved): 2 conversations, 3 customer messages, bot first reply median 5 s.
 * - Instagram: Ivy (bot 10 s), Igor (bot 20 s, 2 messages, request #2 answered by Dana 5 min after it opened, resolved),
 *   Iris on the 3rd (bot 30 s): 3 conversations, 4 customer messages, bot median 20 s, p90 28 s.
 * - Telegram: Tom on the 3rd (bot 2 s, request #3 never taken, still open): 1 conversation, 1 customer message.
 * Totals: 6 conversations, 8 customer messages, 3 bot alone, 3 handed over, 3 requests, bot median 8 s, managers 4 min.
 */
export function seedShop(db: Db, slug = 'shop', extra: { chatId?: number; ownerChatId?: number } = {}) {
  const wa = seedTenant(db, { slug, name: 'Petal Flowers', timezone: 'Europe/Moscow', chatId: extra.chatId ?? -1003, ownerChatId: extra.ownerChatId ?? null });
  const ig = seedChannelAccount(db, wa, 'instagram', `ig-${slug}`);
  const tg = seedChannelAccount(db, wa, 'telegram', `tg-${slug}`);
  const contact = (t: SeedTenant, name: string, id: string) => seedContact(db, t, { name, phone: id, at: msk('2026-11-01 00:00') });
  const dana = { id: 501, name: 'Dana' };

  const wanda = contact(wa, 'Wanda', '77020000001');
  seedMessage(db, wa, wanda, { at: msk('2026-11-02 10:00:00'), author: 'customer', body: 'Do you deliver roses?' });
  seedMessage(db, wa, wanda, { at: msk('2026-11-02 10:00:04'), author: 'bot', body: 'Yes, across the city.' });
  seedMessage(db, wa, wanda, { at: msk('2026-11-02 10:02:00'), author: 'customer', body: 'Great' });
  seedMessage(db, wa, wanda, { at: msk('2026-11-02 10:02:02'), author: 'bot', body: 'Happy to help!' });

  const walt = contact(wa, 'Walt', '77020000002');
  seedMessage(db, wa, walt, { at: msk('2026-11-02 12:00:00'), author: 'customer', body: 'Can you make a wedding arch?' });
  const h1 = seedHandover(db, wa, walt, { number: 1, createdAt: msk('2026-11-02 12:00:06'), cause: 'no_knowledge', question: 'Can you make a wedding arch?',
    taken: { at: msk('2026-11-02 12:01:06'), ...dana }, firstResponseAt: msk('2026-11-02 12:03:06'), resolved: { at: msk('2026-11-02 12:20:00'), ...dana } });
  seedMessage(db, wa, walt, { at: msk('2026-11-02 12:00:06'), author: 'bot', body: 'I passed your question to a manager.', handoverId: h1 });
  seedMessage(db, wa, walt, { at: msk('2026-11-02 12:03:06'), author: 'manager', authorName: 'Dana', body: 'Yes, from 90,000 ₸.', handoverId: h1, status: 'delivered' });

  const ivy = contact(ig, 'Ivy', '17841400000001');
  seedMessage(db, ig, ivy, { at: msk('2026-11-02 14:00:00'), author: 'customer', body: 'Are tulips in stock?' });
  seedMessage(db, ig, ivy, { at: msk('2026-11-02 14:00:10'), author: 'bot', body: 'Yes, red and white.' });

  const igor = contact(ig, 'Igor', '17841400000002');
  seedMessage(db, ig, igor, { at: msk('2026-11-02 16:00:00'), author: 'customer', body: 'A bouquet for tonight?' });
  seedMessage(db, ig, igor, { at: msk('2026-11-02 16:00:20'), author: 'bot', body: 'Orders before 18:00 arrive tonight.' });
  seedMessage(db, ig, igor, { at: msk('2026-11-02 16:01:00'), author: 'customer', body: 'Let me talk to a person' });
  const h2 = seedHandover(db, ig, igor, { number: 2, createdAt: msk('2026-11-02 16:01:05'), cause: 'model_handover', question: 'Let me talk to a person',
    taken: { at: msk('2026-11-02 16:02:05'), ...dana }, firstResponseAt: msk('2026-11-02 16:06:05'), resolved: { at: msk('2026-11-02 16:30:00'), ...dana } });
  seedMessage(db, ig, igor, { at: msk('2026-11-02 16:01:05'), author: 'bot', body: 'A manager will answer shortly.', handoverId: h2 });
  seedMessage(db, ig, igor, { at: msk('2026-11-02 16:06:05'), author: 'manager', authorName: 'Dana', body: 'Hi Igor, which flowers?', handoverId: h2 });

  const iris = contact(ig, 'Iris', '17841400000003');
  seedMessage(db, ig, iris, { at: msk('2026-11-03 09:00:00'), author: 'customer', body: 'Open on Sunday?' });
  seedMessage(db, ig, iris, { at: msk('2026-11-03 09:00:30'), author: 'bot', body: 'Yes, 10:00 to 16:00.' });

  const tom = contact(tg, 'Tom', '880000001');
  seedMessage(db, tg, tom, { at: msk('2026-11-03 11:00:00'), author: 'customer', body: 'Here is a photo of what I want', type: 'image' });
  const h3 = seedHandover(db, tg, tom, { number: 3, createdAt: msk('2026-11-03 11:00:02'), cause: 'media', question: 'Here is a photo of what I want' });
  seedMessage(db, tg, tom, { at: msk('2026-11-03 11:00:02'), author: 'bot', body: 'A manager will look at your photo.', handoverId: h3 });

  return { tenant: wa, accounts: { whatsapp: wa, instagram: ig, telegram: tg }, contacts: { wanda, walt, ivy, igor, iris, tom } };
}
