import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Analytics } from '../../../src/analytics/analytics.js';
import { createDashboard } from '../../../src/dashboard/app.js';
import { DashboardAuth, FAILURES_PER_WINDOW, LINK_TTL_MS, LINKS_PER_WINDOW } from '../../../src/dashboard/auth.js';
import { AnalyticsStore } from '../../../src/storage/analytics-store.js';
import { DashboardAuthStore } from '../../../src/storage/dashboard-auth-store.js';
import { DashboardStore } from '../../../src/storage/dashboard-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { msk, seedClinic, seedContact, seedMessage, seedTenant } from '../../helpers/analytics-seed.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const RANGE = 'from=2026-11-02&to=2026-11-03';
let db: Db;
let now: number;
let auth: DashboardAuth;
let store: DashboardAuthStore;
let app: ReturnType<typeof createDashboard>;
let clinic: ReturnType<typeof seedClinic>;
let rivalContact: number;

function build(publicUrl: string) {
  auth = new DashboardAuth(store, publicUrl, () => now);
  app = createDashboard({ auth, analytics: new Analytics(new AnalyticsStore(db)), store: new DashboardStore(db), secureCookies: publicUrl.startsWith('https:'), clock: () => now });
}

beforeEach(() => {
  db = migratedDb().db;
  now = msk('2026-11-04 12:00');
  clinic = seedClinic(db, 'clinic', { chatId: -1001, ownerChatId: 42 });
  const rival = seedTenant(db, { slug: 'rival', name: 'Rival Dental', chatId: -2002 });
  const c = seedContact(db, rival, { name: 'Secret Customer', phone: '79990001122', at: msk('2026-11-01 00:00') });
  seedMessage(db, rival, c, { at: msk('2026-11-02 12:00'), author: 'customer', body: 'rival secret question' });
  rivalContact = c.id;
  store = new DashboardAuthStore(db);
  build('https://cell.example.com');
});
afterEach(() => db.close());

const tenant = (slug: string) => store.tenantsFor(0).find((t) => t.slug === slug)!;
const linkFor = (slug: string, user = { id: 501, name: 'Dana' }) => {
  const issued = auth.issue(tenant(slug), user);
  if (!issued.ok) throw new Error(issued.why);
  return new URL(issued.url).pathname.replace(/^\/dashboard/, '');
};
async function login(slug: string, user = { id: 501, name: 'Dana' }): Promise<string> {
  const res = await app.request(linkFor(slug, user), { method: 'POST' });
  expect(res.status).toBe(303);
  return /botctl_dashboard=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}
const get = (path: string, cookie?: string) => app.request(path, cookie ? { headers: { cookie: `botctl_dashboard=${cookie}` } } : {});

describe('login by one-time link', () => {
  test('the link page does not use the link; the POST does, once; the cookie is HttpOnly, Secure, SameSite=Lax', async () => {
    const path = linkFor('clinic');
    const page = await app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="/dashboard${path}"`);
    const first = await app.request(path, { method: 'POST' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/dashboard');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/dashboard/);
    expect(cookie).toMatch(/Max-Age=43200/);
    const again = await app.request(path, { method: 'POST' });
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('already used');
  });

  test('an expired link is refused; a made-up one too; the links table holds no usable token', async () => {
    const path = linkFor('clinic');
    now += LINK_TTL_MS + 1;
    const res = await app.request(path, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('expired');
    expect((await app.request('/login/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { method: 'POST' })).status).toBe(403);
    const token = path.split('/').at(-1)!;
    expect(JSON.stringify(db.prepare('SELECT * FROM dashboard_links').all())).not.toContain(token);
  });

  test('without BOTCTL_PUBLIC_URL no link is made (the bot says the operator must set it)', () => {
    expect(new DashboardAuth(store, null, () => now).issue(tenant('clinic'), { id: 501, name: 'Dana' })).toEqual({ ok: false, why: 'no_public_url' });
    expect(db.prepare('SELECT count(*) AS n FROM dashboard_links').get()).toEqual({ n: 0 });
  });

  test('before login the page speaks the browser\'s language; ended links and sessions are pruned a day later', async () => {
    const page = await app.request(linkFor('clinic'), { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } });
    expect(await page.text()).toContain('Открыть панель');
    await login('clinic');
    expect(store.prune(now - 86_400_000)).toBe(0);
    now += 13 * 3_600_000 + 86_400_000;
    expect(store.prune(now - 86_400_000)).toBe(3); // two links, one session
  });

  test('without https the cookie is not Secure', async () => {
    build('http://127.0.0.1:8080');
    const res = await app.request(linkFor('clinic'), { method: 'POST' });
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  test('refused openings are rate-limited per address; links per person too', async () => {
    for (let i = 0; i < FAILURES_PER_WINDOW; i++) await app.request(`/login/bad-token-${'x'.repeat(20)}${i}`, { method: 'POST' });
    const limited = await app.request(linkFor('clinic'), { method: 'POST' });
    expect(limited.status).toBe(429);
    for (let i = 1; i < LINKS_PER_WINDOW; i++) auth.issue(tenant('clinic'), { id: 777, name: 'Zed' });
    expect(auth.issue(tenant('clinic'), { id: 777, name: 'Zed' })).toMatchObject({ ok: true });
    expect(auth.issue(tenant('clinic'), { id: 777, name: 'Zed' })).toEqual({ ok: false, why: 'rate_limited' });
  });

  test('owner-only tenants refuse managers; logins and logouts are audited', async () => {
    db.prepare("UPDATE tenants SET dashboard_managers = 0 WHERE slug = 'clinic'").run();
    expect(auth.issue(tenant('clinic'), { id: 501, name: 'Dana' })).toEqual({ ok: false, why: 'managers_off' });
    expect(auth.issue(tenant('clinic'), { id: 42, name: 'Owner' })).toMatchObject({ ok: true, role: 'owner' });
    const cookie = await login('clinic', { id: 42, name: 'Owner' });
    expect((await app.request('/logout', { method: 'POST', headers: { cookie: `botctl_dashboard=${cookie}` } })).status).toBe(200);
    expect((await get('/', cookie)).status).toBe(401);
    const actions = (db.prepare("SELECT action FROM audit_log WHERE action LIKE 'dashboard.%' ORDER BY id").all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['dashboard.link_refused', 'dashboard.link', 'dashboard.link', 'dashboard.login', 'dashboard.logout']);
  });
});

describe('pages, API and CSV of the session\'s tenant only', () => {
  test('no session: 401 with the way in', async () => {
    const page = await get('/');
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('/dashboard');
    expect(await (await get('/api/overview')).json()).toMatchObject({ ok: false, fix: expect.stringContaining('/dashboard') });
  });

  test('the overview shows the numbers of the analytics module', async () => {
    const cookie = await login('clinic');
    const html = await (await get(`/?${RANGE}`, cookie)).text();
    expect(html).toMatch(/data-testid="value-conversations">5</);
    expect(html).toMatch(/data-testid="value-bot-rate">20%</);
    expect(html).toMatch(/data-testid="value-human-first-reply">10 min</); // median 9.5 min
    const api = await (await get(`/api/overview?${RANGE}`, cookie)).json() as { overview: { conversations: number }; managers: { name: string }[] };
    expect(api.overview.conversations).toBe(5);
    expect(api.managers.map((m) => m.name)).toEqual(['Dana', 'Eve']);
  });

  test('the period switch: today, 7 days, 30 days end today in the tenant\'s timezone', async () => {
    const cookie = await login('clinic');
    now = msk('2026-11-03 12:00');
    const range = async (q: string) => ((await (await get(`/api/overview?${q}`, cookie)).json()) as { overview: { from: number; to: number; days: unknown[]; conversations: number } }).overview;
    expect(await range('period=today')).toMatchObject({ from: msk('2026-11-03 00:00'), to: msk('2026-11-04 00:00'), conversations: 1 });
    expect((await range('period=7d')).days).toHaveLength(7);
    expect(await range('period=30d')).toMatchObject({ from: msk('2026-10-05 00:00'), conversations: 6 }); // Erin's, begun on the 1st, too
    expect((await range('')).days).toHaveLength(7); // the default
    const html = await (await get('/?period=today', cookie)).text();
    expect(html).toMatch(/data-testid="period-today" aria-current="true"|aria-current="true" data-testid="period-today"/);
    expect(html).toContain('2026-11-03 – 2026-11-03');
  });

  test('a bad period is a 400 naming the fix', async () => {
    const cookie = await login('clinic');
    const res = await get('/api/overview?from=2026-02-30', cookie);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: '--from "2026-02-30" is not a date', fix: expect.stringContaining('YYYY-MM-DD') });
  });

  test('a session of one tenant cannot read another\'s conversation, by page or API, and never sees its rows', async () => {
    const cookie = await login('clinic');
    expect((await get(`/conversations/${rivalContact}?${RANGE}`, cookie)).status).toBe(404);
    expect((await get(`/api/conversations/${rivalContact}?${RANGE}`, cookie)).status).toBe(404);
    for (const path of ['/', '/conversations', '/gaps', '/managers', '/api/conversations', '/export/conversations.csv']) {
      expect(await (await get(`${path}?${RANGE}`, cookie)).text()).not.toContain('Secret Customer');
    }
    const own = await (await get(`/api/conversations/${clinic.contacts.dave.id}?${RANGE}`, cookie)).json() as { messages: unknown[] };
    expect(own.messages).toHaveLength(3);
  });

  test('CSV of conversations and of the managers\' table', async () => {
    const cookie = await login('clinic');
    const res = await get(`/export/conversations.csv?${RANGE}&outcome=open`, cookie);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('conversations-clinic-2026-11-02.csv');
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('started_local,last_message_local,customer,phone,customer_messages,outcome,managers,requests,reasons,bot_first_reply_s,channel');
    expect(lines.slice(1)).toEqual(['2026-11-02 23:50,2026-11-03 00:10,Carol,77010000003,2,open,,3,asked_for_human,20,whatsapp']);
    const managers = (await (await get(`/export/managers.csv?${RANGE}`, cookie)).text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(managers.slice(1)).toEqual(['Dana,501,1,2,240,240,120,120,0', 'Eve,502,1,0,900,900,600,600,2']);
  });

  test('search by name, outcome, manager and reason', async () => {
    const cookie = await login('clinic');
    const names = async (q: string) => ((await (await get(`/api/conversations?${RANGE}&${q}`, cookie)).json()) as { customerName: string }[]).map((r) => r.customerName);
    expect(await names('q=car')).toEqual(['Carol']);
    expect(await names('q=77010000002')).toEqual(['Bob']);
    expect(await names('manager=Eve')).toEqual(['Dave']);
    expect(await names('reason=no_knowledge')).toEqual(['Dave', 'Gina', 'Bob']);
    expect(await names('outcome=bot')).toEqual(['Alice']);
  });

  test('uPlot is served from the package', async () => {
    const res = await get('/assets/uplot.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('uPlot');
    expect((await get('/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
