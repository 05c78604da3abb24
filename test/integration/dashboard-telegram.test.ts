import { createHash, createHmac } from 'node:crypto';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/storage/open-db.js';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { seedTenant } from '../helpers/analytics-seed.js';
import { initCell, type TempCell } from '../helpers/cli.js';
import { until } from '../helpers/until.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const CHAT = -1001600000001;
const QUIET_CHAT = -1001600000002;
const BOB: User = { id: 801, is_bot: false, first_name: 'Bob', language_code: 'en' };
const RITA: User = { id: 802, is_bot: false, first_name: 'Рита', language_code: 'ru' };
const OWNER: User = { id: 803, is_bot: false, first_name: 'Olga', language_code: 'en' };

let tg: TelegramSimulator;
let cell: TempCell;
let worker: WorkerProcess;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Clinic managers', members: [BOB, RITA] });
  tg.createChat({ id: QUIET_CHAT, type: 'supergroup', title: 'Owner-only managers', members: [RITA, OWNER] });
  cell = await initCell();
  const db = openDatabase(cell.dataDir);
  seedTenant(db, { slug: 'clinic', name: 'Smile Clinic', chatId: CHAT, locale: 'en' });
  const quiet = seedTenant(db, { slug: 'quiet', name: 'Quiet Dental', chatId: QUIET_CHAT, ownerChatId: OWNER.id, locale: 'ru' });
  db.prepare('UPDATE tenants SET dashboard_managers = 0 WHERE id = ?').run(quiet.id);
  db.close();
  worker = await startWorkerProcess({ ...cell.env, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, BOTCTL_PUBLIC_URL: 'https://cell.example.com' }, ['--poll-ms', '50']);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await tg?.close();
});

const privately = (user: User) => tg.messagesIn(user.id).map((m) => m.text ?? '');
const audit = () => {
  const db = openDatabase(cell.dataDir);
  try {
    return (db.prepare("SELECT action, tenant_slug AS tenant, json_extract(detail, '$.why') AS why FROM audit_log WHERE action LIKE 'dashboard.%' ORDER BY id").all() as { action: string; tenant: string; why: string | null }[]);
  } finally {
    db.close();
  }
};

describe('/dashboard in Telegram', () => {
  test('a member who never opened a private chat with the bot is told in the group how to, and gets no link there', async () => {
    tg.userSends(CHAT, BOB, '/dashboard');
    const note = await until(() => tg.messagesIn(CHAT).find((m) => m.text?.includes('could not write to you privately')), 15_000, 'the note in the group');
    expect(note.text).toBe("Bob, I could not write to you privately. Open a chat with @botctl_sim_bot, press Start, then send /dashboard again.");
    expect(tg.messagesIn(CHAT).some((m) => m.text?.includes('/dashboard/login/'))).toBe(false);
    // The undelivered link is nowhere in the worker's log (the failed call's payload held it).
    await until(() => worker.lines.some((l) => l.includes('could not be sent privately')), 5000, 'the warning');
    expect(worker.lines.filter((l) => l.includes('/dashboard/login/'))).toEqual([]);
  }, 30_000);

  test('privately, a person in two groups gets a link for each business they may see; the owner-only one says so', async () => {
    tg.userStartsPrivateChat(RITA);
    tg.userSends(RITA.id, RITA, '/dashboard');
    const answer = await until(() => privately(RITA)[0], 15_000, 'the private answer');
    expect(answer).toMatch(/📊 Quiet Dental: панель открыта только владельцу\./);
    expect(answer).toMatch(/📊 Smile Clinic: ваша ссылка на панель \(одноразовая, действует 10 мин\):\nhttps:\/\/cell\.example\.com\/dashboard\/login\/[A-Za-z0-9_-]{43}/);
    expect(answer.match(/dashboard\/login\//g)).toHaveLength(1);

    tg.userStartsPrivateChat(OWNER);
    tg.userSends(QUIET_CHAT, OWNER, '/dashboard');
    expect(await until(() => privately(OWNER)[0], 15_000, 'the owner\'s link')).toMatch(/Quiet Dental.*\n.*https:\/\/cell\.example\.com\/dashboard\/login\//);
  }, 30_000);

  test('more than 5 links in 10 minutes are refused; every link and refusal is audited', async () => {
    tg.userStartsPrivateChat(BOB);
    // Bob's /dashboard in the group made a link already (it could not be delivered): four more, then a refusal.
    for (let i = 1; i <= 5; i++) {
      tg.userSends(BOB.id, BOB, '/dashboard');
      await until(() => privately(BOB).length === i, 15_000, `answer ${i}`);
    }
    expect(privately(BOB).slice(0, 4).every((t) => t.includes('/dashboard/login/'))).toBe(true);
    expect(privately(BOB)[4]).toBe('Too many dashboard links in a short time. Wait 10 minutes and send /dashboard again.');
    const rows = audit();
    expect(rows.filter((r) => r.action === 'dashboard.link' && r.tenant === 'clinic')).toHaveLength(6); // Rita's, and Bob's five (one from the group)
    expect(rows).toContainEqual({ action: 'dashboard.link_refused', tenant: 'quiet', why: 'managers_off' });
    expect(rows).toContainEqual({ action: 'dashboard.link_refused', tenant: 'clinic', why: 'rate_limited' });
  }, 60_000);

  test('the Login Widget: a member gets a session; a stranger, a forged or an old answer does not', async () => {
    // What Telegram's widget hands back, signed with the bot's token as Telegram does.
    const signed = (user: User, authDate = Math.floor(Date.now() / 1000)) => {
      const fields: Record<string, string> = { id: String(user.id), first_name: user.first_name, auth_date: String(authDate) };
      const check = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('\n');
      fields.hash = createHmac('sha256', createHash('sha256').update(tg.token).digest()).update(check).digest('hex');
      return new URLSearchParams(fields);
    };
    const open = (q: URLSearchParams) => fetch(`${worker.url}/dashboard/telegram-login?${q}`, { redirect: 'manual' });
    const ok = await open(signed(BOB));
    expect(ok.status).toBe(303);
    const cookie = /botctl_dashboard=[^;]+/.exec(ok.headers.get('set-cookie') ?? '')![0];
    const overview = await fetch(`${worker.url}/dashboard/api/overview`, { headers: { cookie } });
    expect(((await overview.json()) as { tenant: { slug: string } }).tenant.slug).toBe('clinic');

    const stranger: User = { id: 899, is_bot: false, first_name: 'Stan' };
    expect((await open(signed(stranger))).status).toBe(403);
    const forged = signed(BOB);
    forged.set('id', String(OWNER.id));
    expect((await open(forged)).status).toBe(403);
    expect((await open(signed(BOB, Math.floor(Date.now() / 1000) - 3600))).status).toBe(403);
    expect(audit().filter((r) => r.action === 'dashboard.login_refused').map((r) => r.why)).toEqual(['widget_not_member', 'widget_bad_hash', 'widget_expired']);
    const page = await (await fetch(`${worker.url}/dashboard/telegram`)).text();
    expect(page).toContain('data-telegram-login="botctl_sim_bot"');
  }, 30_000);
});
