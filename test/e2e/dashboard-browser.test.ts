import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/open-db.js';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { msk, seedClinic, seedContact, seedMessage, seedTenant } from '../helpers/analytics-seed.js';
import { seedShop } from '../helpers/channel-seed.js';
import { initCell, type TempCell } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

// Debian's Chromium; playwright-core downloads no browser of its own.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(packageRoot, 'test-results', 'dashboard-browser');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const RANGE = 'from=2026-11-02&to=2026-11-03';
const WAIT = 20_000;

const CLINIC_CHAT = -1001500000001;
const RIVAL_CHAT = -1001500000002;
const SHOP_CHAT = -1001500000003;
const DANA: User = { id: 501, is_bot: false, first_name: 'Dana', language_code: 'en' };
const OWNER: User = { id: 42, is_bot: false, first_name: 'Olga', language_code: 'en' };
const RIVAL_MANAGER: User = { id: 601, is_bot: false, first_name: 'Rick', language_code: 'en' };
const STRANGER: User = { id: 999, is_bot: false, first_name: 'Stan', language_code: 'en' };
const SHOP_MANAGER: User = { id: 701, is_bot: false, first_name: 'Sam', language_code: 'en' };

let tg: TelegramSimulator;
let cell: TempCell;
let worker: WorkerProcess;
let browser: BrowserContext;
let profile: string;
let rivalContactId: number;
let clinicCarolId: number;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tg = await startTelegramSimulator();
  tg.createChat({ id: CLINIC_CHAT, type: 'supergroup', title: 'Clinic managers', members: [DANA] });
  tg.createChat({ id: RIVAL_CHAT, type: 'supergroup', title: 'Rival managers', members: [RIVAL_MANAGER] });
  tg.createChat({ id: SHOP_CHAT, type: 'supergroup', title: 'Shop managers', members: [SHOP_MANAGER] });
  cell = await initCell();
  const db = openDatabase(cell.dataDir);
  const clinic = seedClinic(db, 'clinic', { chatId: CLINIC_CHAT, ownerChatId: OWNER.id });
  clinicCarolId = clinic.contacts.carol.id;
  const rival = seedTenant(db, { slug: 'rival', name: 'Rival Dental', chatId: RIVAL_CHAT });
  const secret = seedContact(db, rival, { name: 'Secret Customer', phone: '79990001122', at: msk('2026-11-01 00:00') });
  seedMessage(db, rival, secret, { at: msk('2026-11-02 12:00'), author: 'customer', body: 'rival secret question' });
  rivalContactId = secret.id;
  seedShop(db, 'shop', { chatId: SHOP_CHAT }); // WhatsApp, Instagram and Telegram customers with known numbers
  db.close();
  const port = await freePort();
  worker = await startWorkerProcess({ ...cell.env, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, BOTCTL_PUBLIC_URL: `http://127.0.0.1:${port}` }, ['--poll-ms', '50'], port);
  profile = mkdtempSync(join(tmpdir(), 'botctl-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: DESKTOP, acceptDownloads: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await worker?.stop();
  await tg?.close();
});

const LINK = /http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\/[A-Za-z0-9_-]+/;
/** What the bot wrote to `user` privately after their `/dashboard`. */
async function privateAnswer(user: User, count: number): Promise<string> {
  const texts = await until(() => {
    const list = tg.messagesIn(user.id).map((m) => m.text ?? '');
    return list.length >= count ? list : null;
  }, WAIT, `the bot's private answer to ${user.first_name}`);
  return texts[count - 1]!;
}

async function linkFromGroup(user: User, chat: number): Promise<string> {
  const before = tg.messagesIn(user.id).length;
  tg.userSends(chat, user, '/dashboard');
  const text = await privateAnswer(user, before + 1);
  const url = LINK.exec(text)?.[0];
  if (!url) throw new Error(`no link in: ${text}`);
  return url;
}

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('404') && !m.text().includes('403')) problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!new URL(r.url()).hostname.startsWith('127.0.0.1')) problems.push(`external request: ${r.url()}`); });
  return { page, problems };
}

const value = (page: Page, name: string) => page.getByTestId(`value-${name}`).textContent();

describe('the owner\'s dashboard in Chromium, on the real worker with the Telegram simulator', () => {
  test('a non-member cannot get a link; the owner can, privately', async () => {
    tg.userStartsPrivateChat(STRANGER);
    tg.userSends(STRANGER.id, STRANGER, '/dashboard');
    const refusal = await privateAnswer(STRANGER, 1);
    expect(refusal).toContain('Only members of a business\'s managers group');
    expect(refusal).not.toMatch(/dashboard\/login/);

    tg.userStartsPrivateChat(OWNER);
    tg.userSends(OWNER.id, OWNER, '/dashboard');
    expect(await privateAnswer(OWNER, 1)).toMatch(/Smile Clinic.*\n.*dashboard\/login\//);
  }, 90_000);

  test('login through the link from the group; the overview, managers, a conversation and a CSV; a reused or expired link is refused', async () => {
    tg.userStartsPrivateChat(DANA);
    const url = await linkFromGroup(DANA, CLINIC_CHAT);
    await until(() => tg.messagesIn(CLINIC_CHAT).some((m) => m.text?.includes('I sent you the dashboard link')), WAIT, 'the note in the group');
    const { page, problems } = await newPage();
    await page.goto(url);
    await page.waitForURL(/\/dashboard$/, { timeout: WAIT });
    await page.goto(`${worker.url}/dashboard?${RANGE}`);
    expect(await page.getByTestId('business').textContent()).toBe('Smile Clinic');
    expect(await value(page, 'conversations')).toBe('5');
    expect(await value(page, 'customer-messages')).toBe('8');
    expect(await value(page, 'bot-only')).toBe('1');
    expect(await value(page, 'handed-over')).toBe('4');
    expect(await value(page, 'bot-rate')).toBe('20%');
    expect(await value(page, 'bot-first-reply')).toBe('15 s');
    expect(await value(page, 'human-first-reply')).toBe('10 min');
    expect(await value(page, 'time-to-take')).toBe('6 min');
    expect(await value(page, 'open-now')).toBe('1');
    expect(await value(page, 'outside-hours')).toBe('1');
    await page.locator('#chart-conversations[data-drawn=true] canvas').waitFor({ timeout: WAIT });
    await page.locator('#chart-reply[data-drawn=true] canvas').waitFor({ timeout: WAIT });
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-overview.png'), fullPage: true });

    await page.getByTestId('nav-managers').click();
    const rows = page.getByTestId('manager-row');
    await expect(rows.allTextContents()).resolves.toHaveLength(2);
    expect((await rows.nth(0).innerText()).replace(/\s+/g, ' ')).toMatch(/Dana 1 2 4 min 2 min 0/);
    expect((await rows.nth(1).innerText()).replace(/\s+/g, ' ')).toMatch(/Eve 1 0 15 min 10 min 2/);

    await page.getByTestId('nav-conversations').click();
    await page.getByTestId('search').fill('carol');
    await page.getByTestId('search-submit').click();
    await expect(page.getByTestId('conversation-row').count()).resolves.toBe(1);
    await page.getByTestId('conversation-row').getByRole('link').click();
    await page.getByTestId('transcript').waitFor();
    const authors = await page.getByTestId('transcript-message').evaluateAll((els) => els.map((e) => e.getAttribute('data-author')));
    expect(authors).toEqual(['customer', 'bot', 'customer', 'bot']);
    const events = await page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
    expect(events).toEqual(['created', 'reminder']);
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-conversation.png'), fullPage: true });

    await page.goto(`${worker.url}/dashboard/conversations?${RANGE}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-conversations').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv).toHaveLength(6);
    expect(csv.some((l) => l.startsWith('2026-11-02 23:50,2026-11-03 00:10,Carol,77010000003,2,open'))).toBe(true);
    expect(problems).toEqual([]);

    const again = await browser.newPage();
    await again.goto(url);
    await expect(again.getByTestId('login-refused').textContent()).resolves.toContain('already used');

    const fresh = await linkFromGroup(DANA, CLINIC_CHAT);
    const db = openDatabase(cell.dataDir);
    db.prepare('UPDATE dashboard_links SET expires_at = ? WHERE used_at IS NULL').run(Date.now() - 1); // ten minutes pass
    db.close();
    await again.goto(fresh);
    await expect(again.getByTestId('login-refused').textContent()).resolves.toContain('expired');
    await again.close();
    await page.close();
  }, 90_000);

  test('a session of one business reads nothing of another, by page or by API', async () => {
    const { page } = await newPage();
    const url = await linkFromGroup(DANA, CLINIC_CHAT);
    await page.goto(url);
    await page.waitForURL(/\/dashboard$/, { timeout: WAIT });
    const own = await page.request.get(`${worker.url}/dashboard/api/conversations/${clinicCarolId}?${RANGE}`);
    expect(own.status()).toBe(200);
    expect((await page.request.get(`${worker.url}/dashboard/api/conversations/${rivalContactId}?${RANGE}`)).status()).toBe(404);
    const response = await page.goto(`${worker.url}/dashboard/conversations/${rivalContactId}?${RANGE}`);
    expect(response?.status()).toBe(404);
    for (const path of ['/', '/conversations', '/gaps', '/api/conversations', '/api/overview', '/export/conversations.csv']) {
      const body = await (await page.request.get(`${worker.url}/dashboard${path}?${RANGE}`)).text();
      expect(body, path).not.toContain('Secret Customer');
      expect(body, path).not.toContain('rival secret question');
    }
    // The rival's manager, logged in to the rival, sees its own customer and none of the clinic's.
    tg.userStartsPrivateChat(RIVAL_MANAGER);
    const rivalUrl = await linkFromGroup(RIVAL_MANAGER, RIVAL_CHAT);
    await browser.clearCookies();
    const other = await browser.newPage();
    await other.goto(rivalUrl);
    await other.waitForURL(/\/dashboard$/, { timeout: WAIT });
    const list = await (await other.request.get(`${worker.url}/dashboard/api/conversations?${RANGE}`)).json() as { customerName: string }[];
    expect(list.map((r) => r.customerName)).toEqual(['Secret Customer']);
    expect((await other.request.get(`${worker.url}/dashboard/api/conversations/${clinicCarolId}?${RANGE}`)).status()).toBe(404);
    await other.close();
    await page.close();
  }, 90_000);

  test('a business on three channels: the overview by channel, the channel switch, each conversation\'s channel', async () => {
    await browser.clearCookies();
    tg.userStartsPrivateChat(SHOP_MANAGER);
    const { page, problems } = await newPage();
    await page.goto(await linkFromGroup(SHOP_MANAGER, SHOP_CHAT));
    await page.waitForURL(/\/dashboard$/, { timeout: WAIT });
    await page.goto(`${worker.url}/dashboard?${RANGE}`);
    expect(await page.getByTestId('business').textContent()).toBe('Petal Flowers');
    expect(await value(page, 'conversations')).toBe('6');
    const line = async (channel: string) => {
      const row = page.locator(`[data-testid=channel-row][data-channel=${channel}]`);
      const cell = (name: string) => row.getByTestId(`channel-${name}`).textContent();
      return [await cell('conversations'), await cell('customer-messages'), await cell('bot-only'), await cell('handed-over'), await cell('bot-first-reply'), await cell('human-first-reply'), await cell('requests')];
    };
    expect(await line('whatsapp')).toEqual(['2', '3', '1', '1', '5 s · 90% within 6 s', '3 min', '1']);
    expect(await line('instagram')).toEqual(['3', '4', '2', '1', '20 s · 90% within 28 s', '5 min', '1']);
    expect(await line('telegram')).toEqual(['1', '1', '0', '1', '2 s · 90% within 2 s', '—', '1']);
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-overview-by-channel.png'), fullPage: true });
    await page.setViewportSize(PHONE); // the table becomes cards, the switch wraps: nothing wider than the screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-overview-by-channel.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);

    await page.getByTestId('channel-instagram').click();
    await page.waitForURL(/channel=instagram/);
    expect(await value(page, 'conversations')).toBe('3');
    expect(await value(page, 'customer-messages')).toBe('4');
    expect(await value(page, 'handed-over')).toBe('1');
    expect(await value(page, 'bot-first-reply')).toBe('20 s');
    await expect(page.getByTestId('by-channel').count()).resolves.toBe(0);
    await expect(page.getByTestId('channel-instagram').getAttribute('aria-current')).resolves.toBe('true');

    // The filter stays on while moving to the conversations; each row names its channel.
    await page.getByTestId('nav-conversations').click();
    await page.waitForURL(/\/conversations\?.*channel=instagram/);
    const channels = () => page.getByTestId('conversation-channel').evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
    expect(await channels()).toEqual(['instagram', 'instagram', 'instagram']);
    await page.getByTestId('search').fill('igor');
    await page.getByTestId('search-submit').click();
    await page.waitForURL(/q=igor/);
    expect(page.url()).toContain('channel=instagram'); // kept through the search form
    await expect(page.getByTestId('conversation-row').count()).resolves.toBe(1);
    await page.getByTestId('conversation-row').getByRole('link').click();
    await page.getByTestId('transcript').waitFor();
    expect(await page.getByTestId('conversation-channel').textContent()).toBe('Instagram');

    await page.goto(`${worker.url}/dashboard/conversations?${RANGE}`);
    await page.getByTestId('channel-all').waitFor();
    expect(await channels()).toEqual(['telegram', 'instagram', 'instagram', 'instagram', 'whatsapp', 'whatsapp']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-conversations').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv[0]!.endsWith(',channel')).toBe(true);
    expect(csv.slice(1).map((l) => l.split(',').at(-1))).toEqual(['telegram', 'instagram', 'instagram', 'instagram', 'whatsapp', 'whatsapp']);

    // The clinic's session, asked for Instagram, counts none of the shop's Instagram customers.
    await browser.clearCookies();
    await page.goto(await linkFromGroup(DANA, CLINIC_CHAT));
    await page.waitForURL(/\/dashboard$/, { timeout: WAIT });
    await page.goto(`${worker.url}/dashboard?${RANGE}&channel=instagram`);
    expect(await value(page, 'conversations')).toBe('0');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  test('on a phone: two columns of numbers, nothing wider than the screen, tables as cards; the language switch', async () => {
    await browser.clearCookies();
    const { page, problems } = await newPage();
    await page.setViewportSize(PHONE);
    await page.goto(await linkFromGroup(DANA, CLINIC_CHAT));
    await page.waitForURL(/\/dashboard$/, { timeout: WAIT });
    await page.goto(`${worker.url}/dashboard?${RANGE}`);
    await page.locator('#chart-reply[data-drawn=true] canvas').waitFor({ timeout: WAIT });
    const layout = await page.evaluate(() => {
      const metrics = [...document.querySelectorAll('.metric')].map((e) => e.getBoundingClientRect());
      return {
        scrollWidth: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('main *')].map((e) => e.getBoundingClientRect().right)),
        columns: new Set(metrics.map((r) => Math.round(r.left))).size,
        charts: [...document.querySelectorAll('.chart canvas')].map((c) => c.getBoundingClientRect().right),
      };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(PHONE.width);
    expect(layout.widest).toBeLessThanOrEqual(PHONE.width);
    expect(layout.columns).toBe(2); // the numbers in one look, two per row
    for (const right of layout.charts) expect(right).toBeLessThanOrEqual(PHONE.width);
    const shot = join(ARTIFACTS, 'phone-overview.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    await page.goto(`${worker.url}/dashboard/managers?${RANGE}`);
    const header = await page.locator('table.cards thead').isVisible();
    expect(header).toBe(false); // rows are stacked cards with their labels
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-managers.png'), fullPage: true });

    await page.getByTestId('period-30d').click();
    await page.waitForURL(/period=30d/);
    await expect(page.getByTestId('period-30d').getAttribute('aria-current')).resolves.toBe('true');
    const days = await page.getByTestId('range').textContent();
    const [first, last] = /(\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})/.exec(days!)!.slice(1) as [string, string];
    expect((Date.parse(last) - Date.parse(first)) / 86_400_000).toBe(29);
    await page.locator('header .lang a[lang=ru]').click();
    await expect(page.getByTestId('nav-overview').textContent()).resolves.toBe('Обзор');
    await page.screenshot({ path: join(ARTIFACTS, 'phone-managers-ru.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 90_000);
});
