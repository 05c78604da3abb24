import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import { createDashboard } from '../../../src/dashboard/app.js';
import { DashboardAuth } from '../../../src/dashboard/auth.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import { DashboardAuthStore } from '../../../src/storage/dashboard-auth-store.js';
import { DashboardStore } from '../../../src/storage/dashboard-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic, seedContact, seedMessage, seedTenant } from '../../helpers/analytics-seed.js';
import { seedChannelAccount, seedShop } from '../../helpers/channel-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const RANGE = 'from=2026-11-02&to=2026-11-03';
let db: Db;
let app: ReturnType<typeof createDashboard>;
let auth: DashboardAuth;
let store: DashboardAuthStore;
let shop: ReturnType<typeof seedShop>;

beforeEach(() => {
  db = migratedDb().db;
  const now = msk('2026-11-04 12:00');
  shop = seedShop(db, 'shop', { chatId: -1003 });
  seedClinic(db, 'clinic', { chatId: -1001 }); // on WhatsApp only
  // Another business's Instagram customer, on the same day: never in the shop's numbers or lists.
  const rivalIg = seedChannelAccount(db, seedTenant(db, { slug: 'rival', chatId: -1002 }), 'instagram', 'ig-rival');
  const stranger = seedContact(db, rivalIg, { name: 'Secret Instagrammer', phone: '17841499999999', at: msk('2026-11-01 00:00') });
  seedMessage(db, rivalIg, stranger, { at: msk('2026-11-02 12:00'), author: 'customer', body: 'clinic instagram question' });
  store = new DashboardAuthStore(db);
  auth = new DashboardAuth(store, 'https://cell.example.com', () => now);
  app = createDashboard({ auth, analytics: new Analytics(new AnalyticsStore(db)), store: new DashboardStore(db), secureCookies: true, clock: () => now });
});
afterEach(() => db.close());

async function login(slug: string): Promise<string> {
  const issued = auth.issue(store.tenantsFor(0).find((t) => t.slug === slug)!, { id: 501, name: 'Dana' });
  if (!issued.ok) throw new Error(issued.why);
  const res = await app.request(new URL(issued.url).pathname.replace(/^\/dashboard/, ''), { method: 'POST' });
  return /botctl_dashboard=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}
const get = (path: string, cookie: string) => app.request(path, { headers: { cookie: `botctl_dashboard=${cookie}` } });
/** The by-channel table's cells, channel by channel: [channel, conversations, customer messages, requests]. */
const table = (html: string) => [...html.matchAll(/data-testid="channel-row" data-channel="(\w+)">[\s\S]*?channel-conversations">(\d+)<[\s\S]*?channel-customer-messages">(\d+)<[\s\S]*?channel-requests">(\d+)</g)]
  .map((m) => [m[1], Number(m[2]), Number(m[3]), Number(m[4])]);

describe('the dashboard split by channel', () => {
  test('the overview of a business on three channels has a line per channel; the switch limits every number to one', async () => {
    const cookie = await login('shop');
    const html = await (await get(`/?${RANGE}`, cookie)).text();
    expect(html).toMatch(/data-testid="value-conversations">6</);
    expect(table(html)).toEqual([['whatsapp', 2, 3, 1], ['instagram', 3, 4, 1], ['telegram', 1, 1, 1]]);
    expect(html).toContain('By channel');
    expect(html).toMatch(/data-testid="channel-instagram"[^>]*>Instagram</);

    const ig = await (await get(`/?${RANGE}&channel=instagram`, cookie)).text();
    expect(ig).toMatch(/data-testid="value-conversations">3</);
    expect(ig).toMatch(/data-testid="value-customer-messages">4</);
    expect(ig).toMatch(/data-testid="value-bot-first-reply">20 s</);
    expect(ig).toContain('Instagram only');
    expect(table(ig)).toEqual([]); // one line would repeat the cards
    expect(ig).toMatch(/href="\/dashboard\/managers\?from=2026-11-02&amp;to=2026-11-03&amp;channel=instagram"/); // kept on the links
    expect(ig).toMatch(/<input type="hidden" name="channel" value="instagram">/); // and through the custom range
    const api = await (await get(`/api/overview?${RANGE}&channel=telegram`, cookie)).json() as { channel: string; overview: { conversations: number; openNow: number } };
    expect(api).toMatchObject({ channel: 'telegram', overview: { conversations: 1, openNow: 1 } });
  });

  test('a business on one channel sees no by-channel table and no switch, unless it asks for a channel', async () => {
    const cookie = await login('clinic');
    const html = await (await get(`/?${RANGE}`, cookie)).text();
    expect(html).toMatch(/data-testid="value-conversations">5</);
    expect(table(html)).toEqual([]);
    expect(html).not.toContain('data-testid="channel-switch"');
    const ig = await (await get(`/?${RANGE}&channel=instagram`, cookie)).text();
    expect(ig).toMatch(/data-testid="value-conversations">0</); // the rival's Instagram customer is not the clinic's
    expect(ig).toContain('data-testid="channel-switch"'); // the way back to all channels
    expect(ig).not.toContain('Secret Instagrammer');
  });

  test('the conversation list names each channel and filters by it; the CSV has the channel column', async () => {
    const cookie = await login('shop');
    const list = await (await get(`/conversations?${RANGE}`, cookie)).text();
    const channels = [...list.matchAll(/data-testid="conversation-channel" data-channel="(\w+)">([^<]+)</g)].map((m) => [m[1], m[2]]);
    expect(channels).toEqual([['telegram', 'Telegram'], ['instagram', 'Instagram'], ['instagram', 'Instagram'], ['instagram', 'Instagram'], ['whatsapp', 'WhatsApp'], ['whatsapp', 'WhatsApp']]);
    const ig = await (await get(`/conversations?${RANGE}&channel=instagram`, cookie)).text();
    expect(ig.match(/data-testid="conversation-row"/g)).toHaveLength(3);
    expect(ig).not.toContain('Wanda');
    expect(ig).not.toContain('Secret Instagrammer');
    expect(ig).toMatch(/href="\/dashboard\/export\/conversations\.csv\?from=2026-11-02&amp;to=2026-11-03&amp;channel=instagram"/);
    const res = await get(`/export/conversations.csv?${RANGE}&channel=instagram`, cookie);
    expect(res.headers.get('content-disposition')).toContain('conversations-shop-2026-11-02-instagram.csv');
    const rows = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]!.split(',').at(-1)).toBe('channel');
    expect(rows.slice(1).map((r) => [r.split(',')[2], r.split(',').at(-1)])).toEqual([['Iris', 'instagram'], ['Igor', 'instagram'], ['Ivy', 'instagram']]);
    const all = (await (await get(`/export/conversations.csv?${RANGE}`, cookie)).text()).trim().split('\r\n').slice(1).map((r) => r.split(',').at(-1));
    expect(all).toEqual(['telegram', 'instagram', 'instagram', 'instagram', 'whatsapp', 'whatsapp']);
    const view = await (await get(`/conversations/${shop.contacts.tom.id}?${RANGE}`, cookie)).text();
    expect(view).toMatch(/data-testid="conversation-channel" data-channel="telegram">Telegram</);
  });

  test('a channel that is not one is a 400 naming the allowed ones, on pages and the API', async () => {
    const cookie = await login('shop');
    const page = await get(`/?${RANGE}&channel=viber`, cookie);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('&quot;viber&quot; is not a channel: use one of whatsapp, instagram, telegram');
    const api = await get(`/api/conversations?${RANGE}&channel=viber`, cookie);
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ error: '"viber" is not a channel', fix: expect.stringContaining('whatsapp, instagram, telegram') });
  });
});
