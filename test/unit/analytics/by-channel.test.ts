import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import type { ChannelNumbers } from '../../../src/analytics/by-channel.js';
import { CHANNELS, parseChannel } from '../../../src/analytics/channels.js';
import { dateRange } from '../../../src/analytics/time-range.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic, seedContact, seedHandover, seedMessage, seedTenant } from '../../helpers/analytics-seed.js';
import { seedChannelAccount, seedShop } from '../../helpers/channel-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const S = 1000;
let db: Db;
let analytics: Analytics;
let shop: ReturnType<typeof seedShop>;
let rivalId: number;

beforeEach(() => {
  db = migratedDb().db;
  shop = seedShop(db);
  // Another business with Instagram and WhatsApp customers on the same days: none of it may reach the shop's numbers.
  const rival = seedTenant(db, { slug: 'rival', timezone: 'Europe/Moscow' });
  const rivalIg = seedChannelAccount(db, rival, 'instagram', 'ig-rival');
  for (const [i, name] of ['Rita', 'Rosa'].entries()) {
    const c = seedContact(db, rivalIg, { name, phone: `1784990000000${i}`, at: msk('2026-11-01 00:00') });
    for (let m = 0; m < 3; m++) seedMessage(db, rivalIg, c, { at: msk(`2026-11-02 1${i}:0${m}:00`), author: 'customer', body: 'rival question' });
    seedHandover(db, rivalIg, c, { number: i + 1, createdAt: msk(`2026-11-02 1${i}:03:00`), cause: 'model_handover', question: 'rival question' });
  }
  const rivalWa = seedContact(db, rival, { name: 'Ray', phone: '79990000001', at: msk('2026-11-01 00:00') });
  seedMessage(db, rival, rivalWa, { at: msk('2026-11-02 13:00:00'), author: 'customer', body: 'hi' });
  rivalId = rival.id;
  analytics = new Analytics(new AnalyticsStore(db));
});
afterEach(() => db.close());

const range = () => dateRange('2026-11-02', '2026-11-03', 'Europe/Moscow');
const report = (channel?: 'whatsapp' | 'instagram' | 'telegram') => analytics.report(analytics.tenant(shop.tenant.id)!, range(), channel);
const spreadOf = (count: number, median: number | null, p90: number | null) => ({ count, median, p90 });

describe('the overview split by channel, on seeded days with known answers', () => {
  test('one line per channel the business has, with its own counts and reply times', () => {
    const r = report();
    expect(r.channel).toBeNull();
    expect(r.channels).toEqual(['whatsapp', 'instagram', 'telegram']);
    expect(r.byChannel).toEqual<ChannelNumbers[]>([
      { channel: 'whatsapp', conversations: 2, customerMessages: 3, botOnly: 1, handedOver: 1, botFirstReply: spreadOf(2, 5 * S, 5800), humanFirstReply: spreadOf(1, 180 * S, 180 * S), requests: 1 },
      { channel: 'instagram', conversations: 3, customerMessages: 4, botOnly: 2, handedOver: 1, botFirstReply: spreadOf(3, 20 * S, 28 * S), humanFirstReply: spreadOf(1, 300 * S, 300 * S), requests: 1 },
      { channel: 'telegram', conversations: 1, customerMessages: 1, botOnly: 0, handedOver: 1, botFirstReply: spreadOf(1, 2 * S, 2 * S), humanFirstReply: spreadOf(0, null, null), requests: 1 },
    ]);
  });

  test('the channels add up to the totals, and the totals are the shop\'s alone', () => {
    const { overview: o, byChannel } = report();
    expect(o).toMatchObject({ conversations: 6, customerMessages: 8, botOnly: 3, handedOver: 3, requests: 3, openNow: 1 });
    expect(o.botFirstReply).toEqual(spreadOf(6, 8 * S, 25 * S)); // 2, 4, 6, 10, 20, 30 s
    expect(o.humanFirstReply).toEqual(spreadOf(2, 240 * S, 288 * S)); // 3 and 5 min
    for (const key of ['conversations', 'customerMessages', 'botOnly', 'handedOver', 'requests'] as const) {
      expect(byChannel.reduce((sum, line) => sum + line[key], 0), key).toBe(o[key]);
    }
    expect(byChannel.reduce((sum, line) => sum + line.botFirstReply.count, 0)).toBe(o.botFirstReply.count);
    expect(byChannel.reduce((sum, line) => sum + line.humanFirstReply.count, 0)).toBe(o.humanFirstReply.count);
  });

  test('limited to one channel, the whole report is that channel\'s line, its requests, managers and reasons', () => {
    for (const channel of CHANNELS) {
      const r = report(channel);
      const line = report().byChannel.find((l) => l.channel === channel)!;
      expect(r.channel).toBe(channel);
      expect(r.channels).toEqual(['whatsapp', 'instagram', 'telegram']); // still every channel, for the switch
      expect(r.byChannel).toEqual([line]);
      const { channel: _c, ...numbers } = line;
      expect(r.overview, channel).toMatchObject(numbers);
    }
    const ig = report('instagram');
    expect(ig.overview).toMatchObject({ openNow: 0, oldestOpenNumber: null });
    expect(ig.managers.map((m) => [m.name, m.taken, m.resolved])).toEqual([['Dana', 1, 1]]);
    expect(ig.reasons).toEqual([{ reason: 'asked_for_human', count: 1 }]);
    expect(report('telegram').overview).toMatchObject({ openNow: 1, oldestOpenNumber: 3, oldestOpenAt: msk('2026-11-03 11:00:02'), neverTaken: 1 });
    expect(report('whatsapp').overview.days.map((d) => d.conversations)).toEqual([2, 0]);
  });

  test('tenant isolation: another business\'s Instagram conversations are never counted, in either direction', () => {
    expect(report('instagram').overview).toMatchObject({ conversations: 3, customerMessages: 4, requests: 1 });
    const rival = analytics.report(analytics.tenant(rivalId)!, range());
    expect(rival.channels).toEqual(['whatsapp', 'instagram']);
    expect(rival.byChannel.map((l) => [l.channel, l.conversations, l.customerMessages, l.requests])).toEqual([['whatsapp', 1, 1, 0], ['instagram', 2, 6, 2]]);
    expect(analytics.report(analytics.tenant(rivalId)!, range(), 'telegram').overview).toMatchObject({ conversations: 0, customerMessages: 0, requests: 0, openNow: 0 });
    const names = analytics.searchConversations(shop.tenant.id, range(), {}, 'instagram').map((r) => r.customerName);
    expect(names).toEqual(['Iris', 'Igor', 'Ivy']);
  });

  test('a business on one channel gets one line equal to its totals', () => {
    const clinic = seedClinic(db);
    const r = analytics.report(analytics.tenant(clinic.tenant.id)!, range());
    expect(r.channels).toEqual(['whatsapp']);
    const { channel, ...line } = r.byChannel[0]!;
    expect(channel).toBe('whatsapp');
    expect(r.overview).toMatchObject(line);
    expect(r.byChannel).toHaveLength(1);
  });
});

describe('conversations and gaps by channel', () => {
  test('each conversation row names its channel and the customer\'s address on it', () => {
    const rows = analytics.searchConversations(shop.tenant.id, range());
    expect(rows.map((r) => [r.customerName, r.channel, r.customerPhone])).toEqual([
      ['Tom', 'telegram', '880000001'], ['Iris', 'instagram', '17841400000003'], ['Igor', 'instagram', '17841400000002'],
      ['Ivy', 'instagram', '17841400000001'], ['Walt', 'whatsapp', '77020000002'], ['Wanda', 'whatsapp', '77020000001'],
    ]);
    expect(analytics.searchConversations(shop.tenant.id, range(), { outcome: 'open' }, 'telegram').map((r) => r.customerName)).toEqual(['Tom']);
    expect(analytics.searchConversations(shop.tenant.id, range(), { outcome: 'open' }, 'whatsapp')).toEqual([]);
  });

  test('knowledge gaps of one channel', () => {
    expect(analytics.knowledgeGaps(shop.tenant.id, range()).map((g) => g.question)).toEqual(['Can you make a wedding arch?']);
    expect(analytics.knowledgeGaps(shop.tenant.id, range(), 'whatsapp').map((g) => g.count)).toEqual([1]);
    expect(analytics.knowledgeGaps(shop.tenant.id, range(), 'instagram')).toEqual([]);
  });

  test('a channel is asked by name; anything else is refused naming the allowed ones', () => {
    expect(parseChannel(undefined)).toBeNull();
    expect(parseChannel('')).toBeNull();
    expect(parseChannel('Instagram')).toBe('instagram');
    let refusal = 'accepted';
    try {
      parseChannel('viber');
    } catch (err) {
      refusal = String(err);
    }
    expect(refusal).toBe('"viber" is not a channel: use one of whatsapp, instagram, telegram, or leave it out for all channels');
  });
});
