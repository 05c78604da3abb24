import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import { sendDueDigests } from '../../../src/dashboard/digest.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import { DigestStore } from '../../../src/storage/digest-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic } from '../../helpers/analytics-seed.js';
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
});
