import { beforeAll, describe, expect, test } from 'vitest';
import { Analytics } from '../../src/analytics/analytics.js';
import { dateRange } from '../../src/analytics/time-range.js';
import { AnalyticsStore } from '../../src/storage/analytics-store.js';
import { openDatabase } from '../../src/storage/open-db.js';
import { seedClinic } from '../helpers/analytics-seed.js';
import { seedShop } from '../helpers/channel-seed.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';

let cell: TempCell;
let expected: ReturnType<Analytics['report']>;
let shopExpected: ReturnType<Analytics['report']>;

beforeAll(async () => {
  cell = await initCell();
  const db = openDatabase(cell.dataDir);
  seedClinic(db);
  const shop = seedShop(db); // WhatsApp, Instagram and Telegram customers: test/helpers/channel-seed.ts
  const analytics = new Analytics(new AnalyticsStore(db));
  expected = analytics.report(analytics.tenant(1)!, dateRange('2026-11-02', '2026-11-03', 'Europe/Moscow'));
  shopExpected = analytics.report(analytics.tenant(shop.tenant.id)!, dateRange('2026-11-02', '2026-11-03', 'Europe/Moscow'), 'instagram');
  db.close();
}, 60_000);

const run = (args: string[]) => botctl(args, cell.env);

describe('botctl report and botctl kb gaps print the analytics module\'s numbers', () => {
  test('--json is the same report the dashboard serves', async () => {
    const r = await run(['report', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03', '--json']);
    expect(r.exitCode).toBe(0);
    const printed = JSON.parse(r.stdout) as typeof expected & { range: unknown };
    expect(printed.overview).toEqual(expected.overview);
    expect(printed.managers).toEqual(expected.managers);
    expect(printed.range).toEqual({ from: '2026-11-02', to: '2026-11-03', timezone: 'Europe/Moscow' });
  });

  test('text and CSV', async () => {
    const text = await run(['report', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03']);
    expect(text.stdout).toContain('Smile Clinic (clinic) · 2026-11-02 … 2026-11-03 (Europe/Moscow)');
    expect(text.stdout).toMatch(/Conversations\s+5 \(bot alone 1, handed over 4; bot resolution 20%\)/);
    expect(text.stdout).toMatch(/Eve\s+taken 1, resolved 0, first response 15 min, take 10 min, reminders 2/);
    const csv = await run(['report', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03', '--csv']);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'date,conversations,customer_messages,bot_only,handed_over,bot_first_reply_median_s,human_first_reply_median_s',
      '2026-11-02,4,6,1,3,10,240', '2026-11-03,1,2,0,1,30,900', 'total,5,8,1,4,15,570',
    ]);
  });

  test('bad input: an unknown tenant, a bad date, both --json and --csv', async () => {
    const unknown = await run(['report', 'nope']);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('there is no tenant "nope": see the tenants of this cell with: botctl tenant list');
    const bad = await run(['report', 'clinic', '--from', '2026-11-31']);
    expect(bad.stderr).toContain('--from "2026-11-31" is not a date: write dates as YYYY-MM-DD');
    expect((await run(['report', 'clinic', '--json', '--csv'])).exitCode).not.toBe(0);
  });

  test('a business on several channels gets a line per channel', async () => {
    const text = (await run(['report', 'shop', '--from', '2026-11-02', '--to', '2026-11-03'])).stdout;
    expect(text).toMatch(/Conversations\s+6 \(bot alone 3, handed over 3; bot resolution 50%\)/);
    const lines = text.split('\n');
    const from = lines.indexOf('By channel');
    expect(lines.slice(from + 1, from + 4)).toEqual([
      '  WhatsApp    conversations 2 (bot alone 1, handed over 1), customer messages 3, first reply bot median 5 s, p90 6 s, managers median 3 min, requests 1',
      '  Instagram   conversations 3 (bot alone 2, handed over 1), customer messages 4, first reply bot median 20 s, p90 28 s, managers median 5 min, requests 1',
      '  Telegram    conversations 1 (bot alone 0, handed over 1), customer messages 1, first reply bot median 2 s, p90 2 s, managers median —, requests 1',
    ]);
    expect((await run(['report', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03'])).stdout).not.toContain('By channel'); // one channel: the totals are its line
  }, 30_000);

  test('--channel limits the text, the JSON and the CSV to one channel', async () => {
    const ig = await run(['report', 'shop', '--from', '2026-11-02', '--to', '2026-11-03', '--channel', 'instagram']);
    expect(ig.exitCode).toBe(0);
    expect(ig.stdout).toContain('Petal Flowers (shop) · 2026-11-02 … 2026-11-03 (Europe/Moscow) · Instagram only');
    expect(ig.stdout).toMatch(/Conversations\s+3 \(bot alone 2, handed over 1; bot resolution 67%\)/);
    expect(ig.stdout).toMatch(/Customer messages\s+4\n/);
    expect(ig.stdout).not.toContain('By channel');
    const json = JSON.parse((await run(['report', 'shop', '--from', '2026-11-02', '--to', '2026-11-03', '--channel', 'instagram', '--json'])).stdout) as typeof shopExpected;
    expect(json.channel).toBe('instagram');
    expect(json.overview).toEqual(shopExpected.overview);
    expect(json.byChannel).toEqual(shopExpected.byChannel);
    const csv = (await run(['report', 'shop', '--from', '2026-11-02', '--to', '2026-11-03', '--channel', 'telegram', '--csv'])).stdout.trim().split('\n');
    expect(csv.at(-1)).toBe('total,1,1,0,1,2,');
  }, 30_000);

  test('--channel with a value that is not a channel names the allowed ones', async () => {
    const bad = await run(['report', 'shop', '--channel', 'viber']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('"viber" is not a channel: use one of whatsapp, instagram, telegram, or leave it out for all channels');
  });

  test('kb gaps groups similar questions', async () => {
    const r = await run(['kb', 'gaps', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/2×\s+Is tongue piercing possible\?\s+\(last 2026-11-03 09:30, requests #4 #1\)/);
    expect(r.stdout).toContain('also: Do you do tongue piercing?');
    expect(r.stdout).toMatch(/1×\s+Do you accept bitcoin\?/);
    const json = JSON.parse((await run(['kb', 'gaps', 'clinic', '--from', '2026-11-02', '--to', '2026-11-03', '--json'])).stdout) as { count: number }[];
    expect(json.map((g) => g.count)).toEqual([2, 1]);
    expect((await run(['kb', 'gaps', 'clinic'])).stdout).toContain('No knowledge gaps for clinic');
  });
});
