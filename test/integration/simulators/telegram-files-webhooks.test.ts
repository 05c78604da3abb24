import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError, InputFile } from 'grammy';
import type { Update, User } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { until } from '../../helpers/until.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';

const alice: User = { id: 501, is_bot: false, first_name: 'Alice' };
let sim: TelegramSimulator;

beforeEach(async () => {
  sim = await startTelegramSimulator({ webhookRetryMs: 50 });
});
afterEach(async () => {
  await sim.close();
});

function newBot(timeoutSeconds?: number): Bot {
  return new Bot(sim.token, { client: { apiRoot: sim.url, ...(timeoutSeconds ? { timeoutSeconds } : {}) } });
}

/** A local HTTP endpoint standing in for botctl's webhook route; answers `status`. */
async function webhookReceiver(status = 200) {
  const received: Array<{ headers: IncomingHttpHeaders; update: Update }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, update: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`;
  return { url, received, close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

describe('Telegram simulator: files, webhooks, outages', () => {
  test("a user's photo is fetched with getFile and downloaded byte for byte", async () => {
    const chat = sim.createChat({ type: 'supergroup', title: 'Desk', members: [alice], botIsAdmin: true });
    const bytes = Buffer.from(Array.from({ length: 2048 }, (_, i) => i % 251));
    sim.userSendsPhoto(chat.id, alice, bytes, 'the receipt');
    const bot = newBot();
    const [update] = await bot.api.getUpdates();
    expect(update!.message!.caption).toBe('the receipt');
    const photo = update!.message!.photo!.at(-1)!;
    const file = await bot.api.getFile(photo.file_id);
    expect(file.file_size).toBe(2048);
    const download = await fetch(`${sim.url}/file/bot${sim.token}/${file.file_path}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${sim.url}/file/bot${sim.token}/photos/missing.jpg`)).status).toBe(404);
  });

  test('the bot uploads a photo and a document with multipart; both are stored and served', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Desk', members: [alice] });
    const bot = newBot();
    const pdf = Buffer.from('%PDF-1.4 fake report');
    const photo = await bot.api.sendPhoto(chat.id, new InputFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), { caption: '<i>scan</i>', parse_mode: 'HTML' });
    const doc = await bot.api.sendDocument(chat.id, new InputFile(pdf, 'report.pdf'));
    expect(photo.caption).toBe('scan');
    expect(doc.document).toMatchObject({ file_name: 'report.pdf', mime_type: 'application/pdf', file_size: pdf.length });
    const again = await bot.api.sendDocument(chat.id, doc.document!.file_id); // resend by file_id, no upload
    expect(again.document!.file_id).toBe(doc.document!.file_id);
    const file = await bot.api.getFile(doc.document!.file_id);
    expect(Buffer.from(await (await fetch(sim.fileUrl(file.file_path!))).arrayBuffer()).equals(pdf)).toBe(true);
    expect(sim.messagesIn(chat.id)).toHaveLength(3);
    expect(sim.calls.find((c) => c.method === 'sendDocument')!.params.document).toMatchObject({ size: pdf.length });
  });

  test('webhook mode POSTs updates with the secret header, and getUpdates is refused with 409', async () => {
    const receiver = await webhookReceiver();
    try {
      const chat = sim.createChat({ type: 'supergroup', title: 'Desk', members: [alice], botIsAdmin: true });
      const bot = newBot();
      expect(await bot.api.setWebhook(receiver.url, { secret_token: 'hook_secret-1' })).toBe(true);
      sim.userSends(chat.id, alice, 'via webhook');
      await until(() => receiver.received.length === 1, 3000, 'the webhook call');
      const [call] = receiver.received;
      expect(call!.headers['x-telegram-bot-api-secret-token']).toBe('hook_secret-1');
      expect(call!.update.message!.text).toBe('via webhook');
      await until(() => sim.pendingUpdates().length === 0, 2000, 'the 200 to confirm the update');
      const conflict = await bot.api.getUpdates().then(() => null, (e: unknown) => e);
      expect(conflict).toBeInstanceOf(GrammyError);
      expect((conflict as GrammyError).error_code).toBe(409);
      expect((await bot.api.getWebhookInfo()).url).toBe(receiver.url);
      await bot.api.deleteWebhook();
      expect(await bot.api.getUpdates()).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  test('a webhook that answers 500 gets the update again until the bot drops it', async () => {
    const receiver = await webhookReceiver(500);
    try {
      const chat = sim.createChat({ type: 'supergroup', title: 'Desk', members: [alice], botIsAdmin: true });
      const bot = newBot();
      await bot.api.setWebhook(receiver.url);
      sim.userSends(chat.id, alice, 'retry me');
      await until(() => receiver.received.length >= 2, 3000, 'a redelivery');
      expect(new Set(receiver.received.map((r) => r.update.update_id)).size).toBe(1);
      expect((await bot.api.getWebhookInfo()).last_error_message).toMatch(/500/);
      await bot.api.deleteWebhook({ drop_pending_updates: true });
      expect(sim.pendingUpdates()).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  test('hangNext is cut by the client timeout; offline answers 502 or refuses; back online works', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Desk', members: [alice] });
    const bot = newBot(1);
    sim.hangNext({ method: 'sendMessage' });
    await expect(bot.api.sendMessage(chat.id, 'lost')).rejects.toBeInstanceOf(HttpError);
    await sim.setOffline(true);
    const bad = await fetch(`${sim.url}/bot${sim.token}/getMe`);
    expect(bad.status).toBe(502);
    await expect(bot.api.sendMessage(chat.id, 'down')).rejects.toBeInstanceOf(HttpError);
    await sim.setOffline(true, 'refuse');
    await expect(fetch(`${sim.url}/bot${sim.token}/getMe`)).rejects.toThrow();
    await sim.setOffline(false);
    await bot.api.sendMessage(chat.id, 'back');
    expect(sim.messagesIn(chat.id).map((m) => m.text)).toEqual(['back']);
  });

  test('unknown methods and wrong tokens answer like Telegram', async () => {
    const unknown = await fetch(`${sim.url}/bot${sim.token}/sendTelepathy`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    const unauthorized = await fetch(`${sim.url}/bot123:wrong/getMe`);
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  test('send timestamps reveal a burst over 20 messages a minute to one group', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Busy', members: [alice] });
    const bot = newBot();
    for (let i = 1; i <= 22; i++) await bot.api.sendMessage(chat.id, `reminder ${i}`);
    expect(sim.sendTimestamps(chat.id)).toHaveLength(22);
    const breaches = sim.rateBreaches({ perGroupPerMinute: 20, overallPerSecond: 30 });
    expect(breaches.map((b) => [b.limit, b.chatId, b.count])).toEqual([
      ['perGroupPerMinute', chat.id, 21],
      ['perGroupPerMinute', chat.id, 22],
    ]);
  });
});
