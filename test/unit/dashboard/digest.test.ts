import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import { sendDueDigests } from '../../../src/dashboard/digest.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import { DigestStore } from '../../../src/storage/digest-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic } from '../../helpers/analytics-seed.js';
import { seedShop } from '../../helpers/channel-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

let db: Db;
let now: number;
let queued: JobSpec[];
const run = () => sendDueDigests({ store: new DigestStore(db), analytics: new Analytics(new AnalyticsStore(db)), queue: { enqueue: (spec) => (queued.push(spec), queued.length) }, publicUrl: 'https://cell.example.com', clock: () => now });

beforeEach(() => {
  db = migratedDb().db;
  seedClinic(db, 'clinic', { ownerChatId: 42 });
  queued = [];
});
afterEach(() => db.close());

describe('the owner\'s digest (opt-in)', () => {
  test('off by default: nothing is sent', () => {
    now = msk('2026-11-04 10:00');
    expect(run()).toEqual([]);
    expect(queued).toEqual([]);
  });

  test('daily: yesterday\'s numbers to the owner once, from 09:00 local', () => {
    db.prepare("UPDATE tenants SET digest = 'daily'").run();
    now = msk('2026-11-03 08:59');
    expect(run()).toEqual([]);
    now = msk('2026-11-03 09:05');
    expect(run()).toEqual(['clinic']);
    expect(run()).toEqual([]); // the next sweep of the same day
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: 'desk.notify', payload: { chatId: 42 } });
    const html = String(queued[0]!.payload!.html);
    expect(html).toContain('<b>Smile Clinic</b> — 2026-11-02');
    expect(html).toContain('Conversations: 4 (bot alone: 1, handed over: 3)');
    expect(html).toContain('Bot resolution: 25%');
    expect(html).toContain('Details: https://cell.example.com/dashboard');
    now = msk('2026-11-04 09:00');
    expect(run()).toEqual(['clinic']);
  });

  test('weekly: on Monday, the 7 days before', () => {
    db.prepare("UPDATE tenants SET digest = 'weekly'").run();
    now = msk('2026-11-08 12:00'); // Sunday
    expect(run()).toEqual([]);
    now = msk('2026-11-09 09:30'); // Monday
    expect(run()).toEqual(['clinic']);
    expect(String(queued[0]!.payload!.html)).toContain('2026-11-02 – 2026-11-08');
    expect(String(queued[0]!.payload!.html)).toContain('Conversations: 6 (bot alone: 2, handed over: 4)'); // Frank's on the 4th too
  });

  test('no owner chat: nothing is sent', () => {
    db.prepare("UPDATE tenants SET digest = 'daily', owner_chat_id = NULL").run();
    now = msk('2026-11-03 10:00');
    expect(run()).toEqual([]);
  });

  test('a business on several channels: one line per channel it has, summing to the totals; one channel: no such lines', () => {
    // The shop (test/helpers/channel-seed.ts) on 2026-11-02: WhatsApp Wanda (bot alone) and Walt (request #1);
    // Instagram Ivy (bot alone) and Igor (request #2); Telegram nothing until the 3rd.
    seedShop(db, 'shop', { ownerChatId: 77 });
    db.prepare("UPDATE tenants SET digest = 'daily'").run();
    now = msk('2026-11-03 09:05');
    expect(run().sort()).toEqual(['clinic', 'shop']);
    const html = (chatId: number) => String(queued.find((q) => q.payload!.chatId === chatId)!.payload!.html);
    expect(html(77)).toContain('Conversations: 4 (bot alone: 2, handed over: 2)');
    expect(html(77)).toContain('WhatsApp: 2 (bot alone: 1, handed over: 1)\nInstagram: 2 (bot alone: 1, handed over: 1)\nTelegram: 0 (bot alone: 0, handed over: 0)');
    expect(html(42)).not.toMatch(/WhatsApp:|Instagram:|Telegram:/);
  });
});
