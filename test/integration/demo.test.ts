import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConsoleState } from '../../src/demo/console-api.js';
import { botctl } from '../helpers/cli.js';
import { startDemoProcess, type DemoProcess } from '../helpers/demo-process.js';
import { until } from '../helpers/until.js';

const ALIYA = 700_001;
const DANIYAR = 700_002;
const FAQ_ANSWER = 'Профессиональная чистка зубов стоит 15 000 ₸. В неё входят снятие камня ультразвуком, Air Flow, полировка и покрытие фтором, процедура занимает около часа.';

let demo: DemoProcess;
const state = async () => (await demo.api<ConsoleState>('api/state')).body;
const business = async () => (await state()).chats.whatsapp.messages.filter((m) => m.from === 'business');
const cards = async () => (await state()).desk.messages.filter((m) => m.role?.kind === 'card');

beforeAll(async () => {
  // Reminders after 3 s instead of a minute, so the walk sees one arrive.
  demo = await startDemoProcess(['--port', '0', '--remind-after', '3s']);
}, 60_000);
afterAll(async () => {
  if (demo?.running()) await demo.interrupt();
});

describe('botctl demo: the console API on a real cell (offline: no LLM)', () => {
  test('prints one URL; the page, its assets and the seeded tenant are there', async () => {
    expect(demo.lines.join('\n').match(/https?:\/\//g)).toHaveLength(1);
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/demo\/$/);
    const bare = await fetch(demo.url.replace(/\/$/, ''), { redirect: 'manual' });
    expect(bare.status).toBe(301);
    const page = await fetch(demo.url);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('assets/console.js');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from the network
    for (const asset of ['assets/console.js', 'assets/customer.js', 'assets/console.css', 'assets/icon.svg']) expect((await fetch(new URL(asset, demo.url))).status).toBe(200);
    expect((await fetch(new URL('assets/../../botctl.env', demo.url))).status).toBe(404);
    expect((await fetch(new URL('/healthz', demo.url))).status).toBe(200);

    const s = await state();
    expect(s.business).toEqual({ name: 'Smile Dental', phone: '+7 701 555 12 34', timezone: 'Asia/Almaty' });
    expect(s.llm.label).toBe('No LLM: exact FAQ answers only');
    expect(s.desk.managers.map((m) => m.name)).toEqual(['Алия Сейтова', 'Данияр Ахметов']);
    expect(s.desk.chat.members.map((m) => m.id)).toEqual([ALIYA, DANIYAR]);
    // One customer per channel, each with the identity its channel gives the business.
    expect(Object.fromEntries(Object.entries(s.chats).map(([channel, chat]) => [channel, [chat.business.address, chat.customer.name, chat.customer.address, chat.messages]]))).toEqual({
      whatsapp: ['+7 701 555 12 34', 'Айгерим', '+77011234567', []],
      instagram: ['@smile_dental_almaty', 'Дана', '1784140077001234', []],
      telegram: ['@smile_dental_almaty_bot', 'Ерлан', '@erlan_almaty', []],
    });
  });

  test('FAQ answered, then hand over, take, reply, read receipts and resolve — through the real webhook and callback paths', async () => {
    // 1. An FAQ question: the exact FAQ answer (no LLM), and the customer's message is read by the worker.
    const asked = await demo.api<{ id: string; httpStatus: number }>('api/customer/messages', { channel: 'whatsapp', text: 'Сколько стоит профессиональная чистка зубов?' });
    expect(asked).toMatchObject({ status: 200, body: { httpStatus: 200 } });
    await until(async () => (await business()).length === 1, 20_000, 'the FAQ answer');
    expect((await business())[0]!.text).toBe(FAQ_ANSWER);
    await until(async () => (await state()).chats.whatsapp.messages.find((m) => m.id === asked.body.id)?.status === 'read', 10_000, 'the read receipt');
    // The phone reports the answer delivered (a signed status webhook), then read when the chat is looked at.
    await until(async () => (await business())[0]!.status === 'delivered', 10_000, 'delivered');
    expect((await demo.api('api/customer/read', { channel: 'whatsapp' })).body).toEqual({ read: 1 });
    expect((await business())[0]!.status).toBe('read');

    // 2. A question the knowledge base does not cover: holding reply and a card with Take / Resolve.
    await demo.api('api/customer/messages', { channel: 'whatsapp', text: 'Вы делаете пирсинг языка?' });
    await until(async () => (await cards()).length === 1 && (await business()).length === 2, 20_000, 'the card and the holding reply');
    expect((await business())[1]!.text).toContain('передал ваш вопрос менеджеру');
    const card = (await cards())[0]!;
    expect(card.text).toContain('Запрос №1');
    expect(card.text).toContain('Вы делаете пирсинг языка?');
    expect(card.entities.some((e) => e.type === 'bold')).toBe(true);
    expect(card.buttons.flat().map((b) => b.text)).toEqual(['Взять', 'Решено']);

    // 3. Buttons that are not on the message, strangers and empty texts are refused.
    expect((await demo.api('api/desk/press', { managerId: ALIYA, messageId: card.id, data: 'h:999:t' })).status).toBe(409);
    expect((await demo.api('api/desk/press', { managerId: 1, messageId: card.id, data: card.buttons[0]![0]!.data })).status).toBe(400);
    expect((await demo.api('api/customer/messages', { channel: 'whatsapp', text: '   ' })).status).toBe(400);
    expect((await demo.api('api/customer/messages', { text: 'Здравствуйте' })).body).toEqual({ error: 'give a channel: whatsapp, instagram, telegram' });
    expect((await demo.api('api/customer/messages', { channel: 'viber', text: 'Здравствуйте' })).status).toBe(400);
    // Instagram takes at most 1,000 characters; the same text is fine on Telegram's 4,096 (not sent here).
    expect((await demo.api('api/customer/messages', { channel: 'instagram', text: 'а'.repeat(1001) })).body).toEqual({ error: 'Instagram takes at most 1000 characters in a message' });
    // Another site's page can send a plain-text POST without CORS; the console takes JSON only.
    const simple = await fetch(new URL('api/customer/messages', demo.url), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"text":"hi"}' });
    expect(simple.status).toBe(415);

    // 4. Алия takes it: the bot answers her press, the customer is greeted by her name, the card shows the owner.
    const take = await demo.api<{ queryId: string }>('api/desk/press', { managerId: ALIYA, messageId: card.id, data: card.buttons[0]![0]!.data });
    expect(take.status).toBe(200);
    await until(async () => (await state()).desk.answers.find((a) => a.queryId === take.body.queryId), 10_000, 'the answer to the press');
    expect((await state()).desk.answers.find((a) => a.queryId === take.body.queryId)!.text).toContain('Запрос №1 ваш');
    await until(async () => (await business()).length === 3, 10_000, 'the greeting');
    expect((await business())[2]!.text).toContain('Меня зовут Алия');
    await until(async () => (await cards())[0]!.buttons.flat().some((b) => b.text === 'Вернуть в очередь'), 10_000, 'the taken card');

    // 5. Her reply to the card reaches WhatsApp; the delivery line under it follows the phone's receipts.
    const reply = await demo.api<{ messageId: number }>('api/desk/messages', { managerId: ALIYA, text: 'Пирсинг не делаем, но приглашаем на консультацию.', replyTo: card.id });
    expect(reply.status).toBe(200);
    await until(async () => (await business()).length === 4, 10_000, 'the manager reply on WhatsApp');
    expect((await business())[3]!.text).toBe('Пирсинг не делаем, но приглашаем на консультацию.');
    const deliveryLine = async () => (await state()).desk.messages.find((m) => m.replyTo?.id === reply.body.messageId && m.fromBot);
    await until(async () => (await deliveryLine())?.text.includes('доставлено'), 10_000, 'the delivered line');
    await demo.api('api/customer/read', { channel: 'whatsapp' });
    await until(async () => (await deliveryLine())?.text.includes('прочитано'), 10_000, 'the read line');

    // 6. Resolve: the card shows the outcome and loses its buttons, except "Teach the bot" (a manager answered).
    const resolve = (await cards())[0]!.buttons.flat().find((b) => b.text === 'Решено')!;
    expect((await demo.api('api/desk/press', { managerId: ALIYA, messageId: card.id, data: resolve.data })).status).toBe(200);
    await until(async () => (await cards())[0]!.role?.handoverStatus === 'resolved', 10_000, 'resolved');
    await until(async () => (await cards())[0]!.text.includes('Решён'), 10_000, 'the resolved card');
    expect((await cards())[0]!.buttons.flat().map((b) => b.text)).toEqual(['🎓 Научить бота']);

    // 7. A request nobody takes: the reminder arrives in the group as the desk posts it.
    await demo.api('api/customer/messages', { channel: 'whatsapp', text: 'Хочу записаться на чистку завтра в 15:00' });
    await until(async () => (await cards()).length === 2, 20_000, 'the second card');
    const reminder = await until(async () => (await state()).desk.messages.find((m) => m.role?.kind === 'reminder' && m.role.handoverNumber === 2), 20_000, 'the reminder');
    expect(reminder.text).toContain('Запрос №2 ждёт');
    expect(reminder.fromBot).toBe(true);
  }, 90_000);

  test('the event stream sends the whole state as soon as it is opened', async () => {
    const controller = new AbortController();
    const response = await fetch(new URL('api/events', demo.url), { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/^event: state\ndata: \{/);
    expect(JSON.parse(/data: (.*)/.exec(text)![1]!).business.name).toBe('Smile Dental');
  });

  test('Ctrl-C stops everything and removes the temporary cell', async () => {
    expect(existsSync(join(demo.dir, 'botctl.db'))).toBe(true);
    expect(await demo.interrupt()).toBe(0);
    expect(demo.lines.join('\n')).toContain(`Stopped; removed ${demo.dir}.`);
    expect(existsSync(demo.dir)).toBe(false);
  }, 30_000);
});

describe('botctl demo: --keep, --data-dir and refusals', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('--keep leaves the cell, whose database shows the message came in by the signed webhook; --data-dir continues it', async () => {
    const first = await startDemoProcess(['--port', '0', '--keep']);
    dirs.push(first.dir);
    const sent = await first.api<{ id: string }>('api/customer/messages', { channel: 'whatsapp', text: 'Где вы находитесь?' });
    await until(async () => (await first.api<ConsoleState>('api/state')).body.chats.whatsapp.messages.some((m) => m.from === 'business'), 20_000, 'the answer');
    expect(await first.interrupt()).toBe(0);
    expect(existsSync(join(first.dir, 'botctl.env'))).toBe(true);

    const db = new Database(join(first.dir, 'botctl.db'), { readonly: true });
    try {
      const inbound = db.prepare('SELECT id, trace_id AS traceId FROM messages WHERE provider_message_id = ?').get(sent.body.id) as { id: number; traceId: string };
      const steps = (db.prepare('SELECT step FROM trace_events WHERE trace_id = ? ORDER BY id').all(inbound.traceId) as { step: string }[]).map((r) => r.step);
      expect(steps[0]).toBe('webhook.received');
      expect(db.prepare('SELECT slug, name, locale, timezone FROM tenants').all()).toEqual([{ slug: 'dental-almaty', name: 'Smile Dental', locale: 'ru', timezone: 'Asia/Almaty' }]);
      // Instagram and the customer bot were connected as `tenant update` connects them: recorded, tokens sealed.
      expect(db.prepare('SELECT channel, external_id AS id, length(access_token_enc) > 0 AS sealed FROM channel_accounts ORDER BY id').all()).toEqual([
        { channel: 'whatsapp', id: '109876543210987', sealed: 1 }, { channel: 'instagram', id: '17841400012345678', sealed: 1 }, { channel: 'telegram', id: '7123456789', sealed: 1 },
      ]);
      expect(db.prepare("SELECT json_extract(detail, '$.channel') AS channel FROM audit_log WHERE action = 'tenant.channel' ORDER BY id").all()).toEqual([{ channel: 'instagram' }, { channel: 'telegram' }]);
    } finally {
      db.close();
    }

    const again = await startDemoProcess(['--port', '0', '--data-dir', first.dir]);
    expect(again.dir).toBe(first.dir);
    // The second run reads the Instagram and customer bot tokens back from the cell: all three channels answer.
    for (const channel of ['whatsapp', 'instagram', 'telegram'] as const) await again.api('api/customer/messages', { channel, text: 'Какой у вас график работы?' });
    const answered = async () => Object.values((await again.api<ConsoleState>('api/state')).body.chats).map((c) => c.messages.some((m) => m.from === 'business'));
    await until(async () => (await answered()).every(Boolean), 20_000, 'the answers on every channel after a restart');
    expect(await again.interrupt()).toBe(0);
    expect(again.lines.join('\n')).toContain(`the cell is in ${first.dir}`);
    expect(existsSync(join(first.dir, 'botctl.db'))).toBe(true);
    const cell = new Database(join(first.dir, 'botctl.db'), { readonly: true });
    try {
      // Three customers, one contact each, on three channel accounts; no account was connected twice.
      expect(cell.prepare('SELECT a.channel, c.provider_id AS id FROM contacts c JOIN channel_accounts a ON a.id = c.channel_account_id ORDER BY c.id').all()).toEqual([
        { channel: 'whatsapp', id: '77011234567' }, { channel: 'instagram', id: '1784140077001234' }, { channel: 'telegram', id: '880777001' },
      ]);
      expect(cell.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'tenant.channel'").get()).toEqual({ n: 2 });
    } finally {
      cell.close();
    }
  }, 90_000);

  test('refuses an --env-file, and a --data-dir holding a database without its env file', async () => {
    const withEnv = await botctl(['demo', '--env-file', '/etc/botctl/botctl.env']);
    expect(withEnv.exitCode).not.toBe(0);
    expect(withEnv.stderr).toContain('botctl demo reads no env file');

    const dir = mkdtempSync(join(tmpdir(), 'botctl-demo-foreign-'));
    dirs.push(dir);
    new Database(join(dir, 'botctl.db')).close();
    const foreign = await botctl(['demo', '--port', '0', '--data-dir', dir]);
    expect(foreign.exitCode).not.toBe(0);
    expect(foreign.stderr).toContain('already exists and');
    expect(existsSync(join(dir, 'botctl.db'))).toBe(true);
  }, 30_000);
});
