import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import { dateRange, parseRange } from '../../../src/analytics/time-range.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic, seedContact, seedHandover, seedMessage, seedTenant } from '../../helpers/analytics-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const S = 1000;
let db: Db;
let analytics: Analytics;
let clinic: ReturnType<typeof seedClinic>;

beforeEach(() => {
  db = migratedDb().db;
  clinic = seedClinic(db);
  // Another tenant with traffic in the same days: none of it may show up in the clinic's numbers.
  const other = seedTenant(db, { slug: 'other', timezone: 'Europe/Moscow' });
  const stranger = seedContact(db, other, { name: 'Stranger', phone: '79990000000', at: msk('2026-11-01 00:00') });
  for (let i = 0; i < 5; i++) seedMessage(db, other, stranger, { at: msk(`2026-11-02 12:0${i}:00`), author: 'customer', body: 'hi' });
  seedHandover(db, other, stranger, { number: 1, createdAt: msk('2026-11-02 12:05:00'), cause: 'no_knowledge', question: 'Do you do tongue piercing?', taken: { at: msk('2026-11-02 12:06:00'), id: 501, name: 'Dana' } });
  analytics = new Analytics(new AnalyticsStore(db));
});
afterEach(() => db.close());

const range = () => dateRange('2026-11-02', '2026-11-03', 'Europe/Moscow');
const report = () => analytics.report(analytics.tenant(clinic.tenant.id)!, range());

describe('the overview of seeded days with known answers', () => {
  test('conversations, messages, bot alone vs handed over', () => {
    const o = report().overview;
    expect(o.from).toBe(Date.parse('2026-11-01T21:00:00Z'));
    expect(o.to).toBe(Date.parse('2026-11-03T21:00:00Z'));
    // Alice, Bob, Gina, Carol, Dave; Erin's conversation began on the 1st, Frank's on the 4th.
    expect(o.conversations).toBe(5);
    expect(o.customerMessages).toBe(8);
    expect(o.botOnly).toBe(1);
    expect(o.handedOver).toBe(4);
    expect(o.botResolutionRate).toBe(0.2);
  });

  test('first reply, take and resolve times: median and p90', () => {
    const o = report().overview;
    expect(o.botFirstReply).toEqual({ count: 4, median: 15 * S, p90: 27 * S }); // 5, 10, 20, 30 s
    expect(o.humanFirstReply).toEqual({ count: 2, median: 570 * S, p90: 834 * S }); // 4 min, 15 min
    expect(o.timeToTake).toEqual({ count: 2, median: 360 * S, p90: 552 * S }); // 2 min, 10 min
    expect(o.timeToResolve).toEqual({ count: 3, median: 1800 * S, p90: 1800 * S }); // 10, 30, 30 min
  });

  test('a request never taken: counted as such, kept out of the take times, open now and the oldest', () => {
    const o = report().overview;
    expect(o.requests).toBe(4);
    expect(o.neverTaken).toBe(2); // Carol's (still waiting) and Gina's (the operator resolved it)
    expect(o.openNow).toBe(1);
    expect(o.oldestOpenNumber).toBe(3);
    expect(o.oldestOpenAt).toBe(msk('2026-11-03 00:10:30'));
  });

  test('requests outside business hours', () => {
    expect(report().overview.outsideHours).toBe(1); // Carol's, Tuesday 00:10
  });

  test('a conversation spanning midnight in the tenant\'s timezone counts once, on the day it began', () => {
    const days = report().overview.days;
    expect(days.map((d) => d.date)).toEqual(['2026-11-02', '2026-11-03']);
    expect(days[0]).toMatchObject({ conversations: 4, customerMessages: 6, botOnly: 1, handedOver: 3, botFirstReplyMedian: 10 * S, humanFirstReplyMedian: 240 * S });
    expect(days[1]).toMatchObject({ conversations: 1, customerMessages: 2, botOnly: 0, handedOver: 1, botFirstReplyMedian: 30 * S, humanFirstReplyMedian: 900 * S });
    const carol = analytics.conversations(clinic.tenant.id, range()).find((c) => c.contactId === clinic.contacts.carol.id)!;
    expect(carol).toMatchObject({ startedAt: msk('2026-11-02 23:50:00'), lastAt: msk('2026-11-03 00:10:30'), customerMessages: 2, botFirstReplyMs: 20 * S, outcome: 'open' });
    expect(carol.handovers.map((h) => h.number)).toEqual([3]);
  });

  test('the same day alone: Tuesday sees Carol\'s late message but not her conversation', () => {
    const o = analytics.report(analytics.tenant(clinic.tenant.id)!, dateRange('2026-11-03', '2026-11-03', 'Europe/Moscow')).overview;
    expect(o.conversations).toBe(1);
    expect(o.customerMessages).toBe(2);
    expect(o.requests).toBe(2);
  });

  test('an empty range gives zeros and nulls, not NaN', () => {
    const o = analytics.report(analytics.tenant(clinic.tenant.id)!, dateRange('2026-10-01', '2026-10-01', 'Europe/Moscow')).overview;
    expect(o).toMatchObject({ conversations: 0, customerMessages: 0, botResolutionRate: null, botFirstReply: { count: 0, median: null, p90: null }, requests: 0 });
    expect(o.openNow).toBe(1);
  });
});

describe('managers and reasons', () => {
  test('the managers\' table, including a manager who has since left the group', () => {
    expect(report().managers).toEqual([
      { id: 501, name: 'Dana', taken: 1, resolved: 2, firstResponse: { count: 1, median: 240 * S, p90: 240 * S }, timeToTake: { count: 1, median: 120 * S, p90: 120 * S }, reminders: 0 },
      { id: 502, name: 'Eve', taken: 1, resolved: 0, firstResponse: { count: 1, median: 900 * S, p90: 900 * S }, timeToTake: { count: 1, median: 600 * S, p90: 600 * S }, reminders: 2 },
    ]);
  });

  test('why conversations were handed over', () => {
    expect(report().reasons).toEqual([{ reason: 'no_knowledge', count: 3 }, { reason: 'asked_for_human', count: 1 }]);
  });

  test('knowledge gaps: similar questions grouped and counted, newest first, the other tenant\'s left out', () => {
    const gaps = analytics.knowledgeGaps(clinic.tenant.id, range());
    expect(gaps.map((g) => [g.question, g.count])).toEqual([['Is tongue piercing possible?', 2], ['Do you accept bitcoin?', 1]]);
    expect(gaps[0]!.examples).toEqual(['Do you do tongue piercing?']);
    expect(gaps[0]!.requests.map((r) => r.number)).toEqual([4, 1]);
  });
});

describe('ranges in the tenant\'s timezone', () => {
  const now = Date.parse('2026-11-03T22:30:00Z'); // 01:30 on the 4th in Moscow, still the 3rd in UTC
  test('today and 7 days start at local midnight', () => {
    expect(parseRange({ preset: 'today' }, now, 'Europe/Moscow')).toMatchObject({ from: Date.parse('2026-11-03T21:00:00Z'), dayLabels: ['2026-11-04'] });
    const week = parseRange({ preset: '7d' }, now, 'Europe/Moscow');
    expect(week.dayLabels).toHaveLength(7);
    expect(week.from).toBe(Date.parse('2026-10-28T21:00:00Z'));
  });

  test('a DST change makes a 23-hour day', () => {
    const r = dateRange('2026-03-29', '2026-03-29', 'Europe/Berlin');
    expect(r.to - r.from).toBe(23 * 3_600_000);
  });

  test('bad ranges are refused with the fix', () => {
    const refusal = (input: Parameters<typeof parseRange>[0]) => {
      try {
        parseRange(input, now, 'UTC');
      } catch (err) {
        return String(err);
      }
      return 'accepted';
    };
    expect(refusal({ from: '2026-13-01' })).toMatch(/--from "2026-13-01" is not a date: write dates as YYYY-MM-DD/);
    expect(refusal({ from: '2026-11-05', to: '2026-11-01' })).toMatch(/after --to 2026-11-01: give the earlier date as --from/);
    expect(refusal({ preset: 'year' })).toMatch(/"year" is not a period: use one of today, 7d, 30d/);
    expect(refusal({ from: '2024-01-01', to: '2026-01-01' })).toMatch(/longer than a year/);
  });
});
