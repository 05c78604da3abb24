import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { localDateTime, localToEpoch } from '../../src/sales/local-time.js';

const CHAT = -1001000000117;
const ALIYA: User = { id: 7101, is_bot: false, first_name: 'Алия' };
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6000117', token: 'EAAGremindertoken0123456789abcdefghi', chatId: CHAT };
const PHONE = '77051110117';

let tg: TelegramSimulator;
let h: PipelineCell;

const cli = async (args: string[]) => {
  const result = await botctl(args, h.cell.env);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
};
const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: PHONE, body })] }));
const sent = () => h.graph.messagesTo(PHONE).map((s) => s.body as { type: string; text?: { body: string }; template?: { name: string; language: { code: string }; components?: { parameters: { text: string }[] }[] } });

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [ALIYA] });
  // A short lease: a job the killed worker held runs again within seconds (the lease is what makes it claimable).
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg, workerFlags: ['--lease-ms', '2000'] });
  const file = join(h.cell.dir, 'services.json');
  writeFileSync(file, JSON.stringify([{ name: 'Отбеливание', duration: '1h30m', price: '45 000 ₸' }]));
  await cli(['services', 'set', TENANT.slug, '--file', file]);
  await cli(['tenant', 'templates', 'add', TENANT.slug, '--name', 'appointment_reminder', '--language', 'ru', '--params', 'name,service,time', '--purpose', 'reminder']);
}, 60_000);
afterAll(async () => h?.close());

describe('reminders of a confirmed appointment', () => {
  test('scheduled at the local time the customer asked for, sent once each: a text inside the window, the template outside it', async () => {
    await say('Запишите меня на отбеливание завтра в 11:00, меня зовут Ерлан');
    await until(() => h.query('SELECT 1 FROM sales_bookings').length === 1, 15_000, 'the request');
    const booking = h.query<{ id: number; appointment_at: number | null }>('SELECT id, appointment_at FROM sales_bookings')[0]!;
    // "tomorrow at 11:00" is 11:00 on the next day in the tenant's zone (Asia/Almaty), whatever the machine's zone.
    const tomorrow = localDateTime(Date.now() + 86_400_000, 'Asia/Almaty').slice(0, 10);
    expect(booking.appointment_at).toBe(localToEpoch(`${tomorrow} 11:00`, 'Asia/Almaty'));

    // Reminders a few seconds from now (the offsets are how long before the appointment), so the test need not wait a day.
    const lead = booking.appointment_at! - Date.now();
    const first = Math.floor(lead / 1000) - 3;
    const second = Math.floor(lead / 1000) - 12;
    await cli(['bookings', 'reminders', TENANT.slug, '--before', `${first}s,${second}s`]);
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.includes('📅')), 15_000, 'the card');
    const card = tg.messagesIn(CHAT).find((m) => m.text?.includes('📅'))!;
    tg.userPresses(CHAT, ALIYA, card.message_id, `b:${booking.id}:c`);
    await until(() => h.query('SELECT 1 FROM sales_reminders').length === 2, 10_000, 'two reminders scheduled');
    const rows = h.query<{ offset_ms: number; due_at: number }>('SELECT offset_ms, due_at FROM sales_reminders ORDER BY due_at');
    expect(rows.map((r) => r.due_at - booking.appointment_at!)).toEqual([-first * 1000, -second * 1000]);

    // The first fires while the customer's window is open: a text.
    await until(() => sent().some((m) => m.type === 'text' && m.text!.body.includes('напоминаем')), 15_000, 'the text reminder');
    expect(sent().find((m) => m.text?.body.includes('напоминаем'))!.text!.body).toContain(`${tomorrow} 11:00`);
    // The customer's last message is now 25 hours old (the window closed): the second must be the template.
    const db = new Database(join(h.cell.dataDir, 'botctl.db'));
    db.pragma('busy_timeout = 5000');
    db.prepare("UPDATE messages SET created_at = created_at - 25 * 3600000 WHERE direction = 'inbound'").run();
    db.close();
    // A worker killed around the reminders sends none of them twice.
    await h.worker.kill();
    await h.restartWorker();
    await until(() => sent().some((m) => m.type === 'template'), 20_000, 'the template reminder');
    const template = sent().find((m) => m.type === 'template')!.template!;
    expect(template).toMatchObject({ name: 'appointment_reminder', language: { code: 'ru' } });
    expect(template.components![0]!.parameters.map((p) => p.text)).toEqual(['Ерлан', 'Отбеливание', `${tomorrow} 11:00`]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sent().filter((m) => m.type === 'template' || m.text?.body.includes('напоминаем'))).toHaveLength(2);
    expect(h.query('SELECT outcome FROM sales_reminders ORDER BY due_at')).toEqual([{ outcome: 'text' }, { outcome: 'template' }]);
  }, 90_000);
});
