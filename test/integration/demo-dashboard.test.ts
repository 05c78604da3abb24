import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoProcess, type DemoProcess } from '../helpers/demo-process.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';

let demo: DemoProcess;

beforeAll(async () => {
  demo = await startDemoProcess(['--port', String(await freePort())]);
}, 60_000);
afterAll(async () => {
  if (demo?.running()) await demo.interrupt();
});

describe('botctl demo links to the demo clinic\'s dashboard', () => {
  test('the console links to it; each click logs in once; the dashboard shows what was done in the console', async () => {
    const page = await (await fetch(demo.url)).text();
    expect(page).toMatch(/<a [^>]*href="dashboard"[^>]*data-testid="dashboard-link"/);
    const link = new URL('dashboard', demo.url).toString();

    await demo.api('api/customer/messages', { channel: 'whatsapp', text: 'Сколько стоит профессиональная чистка зубов?' });
    await demo.api('api/customer/messages', { channel: 'whatsapp', text: 'Вы делаете пирсинг языка?' });
    const origin = new URL(link).origin;
    const login = async () => {
      const start = await fetch(link, { redirect: 'manual' });
      expect(start.status).toBe(302);
      const login = new URL(start.headers.get('location')!, origin);
      expect(login.pathname).toMatch(/^\/dashboard\/login\/[A-Za-z0-9_-]+$/);
      const opened = await fetch(login, { method: 'POST', redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect((await fetch(login, { method: 'POST', redirect: 'manual' })).status).toBe(403); // used once
      return /botctl_dashboard=[^;]+/.exec(opened.headers.get('set-cookie') ?? '')![0];
    };
    for (let i = 0; i < 7; i++) await login(); // more clicks than the Telegram path's limit: the demo's link keeps working
    const cookie = await login();
    const overview = async () => {
      const res = await fetch(new URL('/dashboard/api/overview?period=today', origin), { headers: { cookie } });
      return (await res.json()) as { tenant: { slug: string }; overview: { customerMessages: number; requests: number } };
    };
    const seen = await until(async () => {
      const o = await overview();
      return o.overview.customerMessages === 2 && o.overview.requests === 1 ? o : null;
    }, 20_000, 'the console\'s two messages and one request on the dashboard');
    expect(seen.tenant.slug).toBe('dental-almaty');
  }, 60_000);
});
