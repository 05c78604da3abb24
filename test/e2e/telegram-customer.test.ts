import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerWebhookSecret } from '../../src/channels/telegram/customer-bot-intake.js';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const BOT_TOKEN = '7100000016:AAcustomerBotTokenForBotctlTests0123';
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6200016', token: 'EAAGtgcustomertoken0123456789abcdefg' };
const AIGERIM: User = { id: 880001, is_bot: false, first_name: 'Айгерим', username: 'aigerim_k' };
const DANA: User = { id: 880002, is_bot: false, first_name: 'Дана' };
const BORIS: User = { id: 880003, is_bot: false, first_name: 'Борис' };

let tg: TelegramSimulator;
let h: PipelineCell;

/** What the bot wrote in a customer's private chat, oldest first. */
const botSaid = (user: User) => tg.messagesIn(user.id).filter((m) => m.from?.is_bot).map((m) => m.text ?? m.caption ?? '');
const inbound = (user: User) => h.query<{ type: string; body: string | null; media: string | null }>(`SELECT m.type, m.body, json_extract(m.payload, '$.media.id') AS media FROM messages m
  JOIN contacts c ON c.id = m.contact_id JOIN channel_accounts a ON a.id = c.channel_account_id WHERE a.channel = 'telegram' AND c.provider_id = ? AND m.direction = 'inbound' ORDER BY m.id`, String(user.id));

beforeAll(async () => {
  tg = await startTelegramSimulator({ token: BOT_TOKEN, botUsername: 'smile_dental_bot' });
  // No desk bot here: the cell's Bot API root is this simulator, which plays the tenant's customer bot.
  h = await PipelineCell.start({ tenants: [TENANT], worker: false, extraEnv: { TELEGRAM_API_ROOT: tg.url } });
  const r = await botctl(['tenant', 'update', TENANT.slug, '--telegram-customer-bot-token', BOT_TOKEN], h.cell.env);
  expect(r.exitCode, r.stderr).toBe(0);
  await h.restartWorker();
  h.llm!.setResponder((request) => {
    const last = request.body.messages.filter((m) => (m as { role: string }).role === 'user').at(-1) as { content: string } | undefined;
    return { content: `Ответ: ${String(last?.content ?? '').split('\n').at(-1)}` };
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await tg?.close();
});

describe("a tenant's own Telegram bot for customers (long polling, no public URL)", () => {
  test('/start greets from the tenant texts; a question is answered in the private chat; the handle is kept', async () => {
    tg.userWritesPrivately(AIGERIM, { text: '/start promo-42', entities: [{ type: 'bot_command', offset: 0, length: 6 }] });
    await until(() => botSaid(AIGERIM).length === 1, 15_000, 'the greeting');
    expect(botSaid(AIGERIM)[0]).toBe('Здравствуйте! Это Smile Dental. Чем могу помочь? Напишите ваш вопрос.');
    expect(h.llm!.requests.some((r) => JSON.stringify(r.body.messages).includes('/start'))).toBe(false);

    tg.userWritesPrivately(AIGERIM, { text: 'Сколько стоит чистка?' });
    await until(() => botSaid(AIGERIM).length === 2, 15_000, 'the answer');
    expect(botSaid(AIGERIM)[1]).toBe('Ответ: Сколько стоит чистка?');
    expect(h.query("SELECT handle, display_name AS name FROM contacts WHERE provider_id = ?", String(AIGERIM.id))).toEqual([{ handle: 'aigerim_k', name: 'Айгерим' }]);
  }, 30_000);

  test('photos, voice, documents, locations and contacts are each stored once with what the bot reads', async () => {
    const photo = tg.uploadFile(Buffer.from('\xff\xd8\xff photo'), 'photo', 'image/jpeg');
    const voice = tg.uploadFile(Buffer.from('OggS voice'), 'document', 'audio/ogg', 'voice.ogg');
    const doc = tg.uploadFile(Buffer.from('%PDF-1.4'), 'document', 'application/pdf', 'анализы.pdf');
    tg.userWritesPrivately(DANA, { photo: [{ ...photo, width: 90, height: 90, file_size: 10 }, { ...photo, file_id: `${photo.file_id}L`, width: 800, height: 800, file_size: 9000 }], caption: 'Вот фото зуба' });
    tg.userWritesPrivately(DANA, { voice: { ...voice, duration: 3, mime_type: 'audio/ogg' } });
    tg.userWritesPrivately(DANA, { document: { ...doc, file_name: 'анализы.pdf', mime_type: 'application/pdf' } });
    tg.userWritesPrivately(DANA, { location: { latitude: 43.238, longitude: 76.945 } });
    tg.userWritesPrivately(DANA, { contact: { phone_number: '77011234567', first_name: 'Ерлан' } });
    await until(() => inbound(DANA).length === 5, 15_000, 'five messages stored');
    const rows = inbound(DANA);
    expect(rows.map((r) => r.type)).toEqual(['image', 'voice', 'document', 'location', 'contacts']);
    expect(rows[0]).toMatchObject({ body: 'Вот фото зуба', media: `${photo.file_id}L` }); // the largest size
    expect(rows[1]!.media).toBe(voice.file_id);
    expect(rows[3]!.body).toBe('📍 Location: (43.238, 76.945)');
    expect(rows[4]!.body).toBe('👤 Contact: Ерлан, +77011234567');
    await until(() => botSaid(DANA).length >= 1, 15_000, 'an answer');
  }, 30_000);

  test('the webhook refuses a wrong secret token; the same update delivered twice is stored and answered once', async () => {
    const update = { update_id: 990001, message: { message_id: 77, date: Math.floor(Date.now() / 1000), chat: { id: BORIS.id, type: 'private', first_name: BORIS.first_name }, from: BORIS, text: 'Вы работаете в субботу?' } };
    const post = (secret: string) => fetch(`${h.worker.url}/webhooks/telegram/${TENANT.slug}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });
    expect((await post('wrong-secret')).status).toBe(401);
    expect(inbound(BORIS)).toEqual([]);
    const secret = customerWebhookSecret(BOT_TOKEN);
    expect((await Promise.all([post(secret), post(secret)])).map((r) => r.status)).toEqual([200, 200]);
    // The reply goes to Boris's private chat through the bot (the simulator opens it as Telegram would on his first message).
    tg.createChat({ id: BORIS.id, type: 'private', title: BORIS.first_name, members: [BORIS] });
    await until(() => botSaid(BORIS).length === 1, 15_000, 'one answer');
    await new Promise((r) => setTimeout(r, 500));
    expect(botSaid(BORIS)).toEqual(['Ответ: Вы работаете в субботу?']);
    expect(inbound(BORIS)).toHaveLength(1);
    expect((await fetch(`${h.worker.url}/webhooks/telegram/nobody`, { method: 'POST', body: '{}' })).status).toBe(404);
  }, 30_000);

  test('with transcription on, a voice note is fetched from Telegram, transcribed and answered', async () => {
    const on = await botctl(['tenant', 'update', TENANT.slug, '--voice-transcription', 'on'], h.cell.env);
    expect(on.exitCode, on.stderr).toBe(0);
    const OLGA: User = { id: 880005, is_bot: false, first_name: 'Ольга' };
    const bytes = Buffer.from('OggS a real voice note');
    const voice = tg.uploadFile(bytes, 'document', 'audio/ogg', 'voice.ogg');
    h.llm!.enqueueTranscription('Можно записаться на пятницу?');
    tg.userWritesPrivately(OLGA, { voice: { ...voice, duration: 2, mime_type: 'audio/ogg' } });
    await until(() => botSaid(OLGA).length === 1, 15_000, 'the answer to the voice note');
    expect(botSaid(OLGA)).toEqual(['Ответ: Можно записаться на пятницу?']);
    expect(h.llm!.transcriptions.at(-1)!.size).toBe(bytes.byteLength); // the bytes Telegram served for the file_id
  }, 30_000);

  test('a message written while the worker is SIGKILLed waits at Telegram and is answered once after the restart', async () => {
    const ERLAN: User = { id: 880004, is_bot: false, first_name: 'Ерлан' };
    await h.worker.kill();
    tg.userWritesPrivately(ERLAN, { text: 'Есть запись на завтра?' });
    await h.restartWorker();
    await until(() => botSaid(ERLAN).length === 1, 15_000, 'the answer after the restart');
    await new Promise((r) => setTimeout(r, 800));
    expect(botSaid(ERLAN)).toEqual(['Ответ: Есть запись на завтра?']);
    expect(inbound(ERLAN)).toHaveLength(1);
  }, 40_000);

  test('botctl doctor checks the customer bot (long polling: no webhook) and tenant show lists the channel', async () => {
    const doctor = await botctl(['doctor', '--json'], { ...h.cell.env, TELEGRAM_API_ROOT: tg.url });
    const report = JSON.parse(doctor.stdout) as { checks: { group: string; name: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'customer bots')).toMatchObject({ status: 'ok', detail: 'all 1 customer bots OK' });
    const show = await botctl(['tenant', 'show', TENANT.slug, '--json'], h.cell.env);
    const channels = (JSON.parse(show.stdout) as { channels: { channel: string; externalId: string }[] }).channels;
    expect(channels.map((c) => [c.channel, c.externalId])).toEqual([['whatsapp', TENANT.phoneNumberId], ['telegram', '7100000016']]);
    expect(show.stdout).not.toContain(BOT_TOKEN);
  }, 30_000);
});
