import type { User } from 'grammy/types';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { freePort } from '../helpers/ports.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const CHAT = -1001300000001;
const MANAGER: User = { id: 5301, is_bot: false, first_name: 'Saule' };
let tg: TelegramSimulator;
let h: PipelineCell;
let port: number;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Webhook desk', members: [MANAGER] });
  port = await freePort();
  // The worker's public URL is its own loopback address, so the simulator delivers updates straight to it.
  h = await PipelineCell.start({
    telegram: tg,
    tenants: [{ slug: 'hook', name: 'Hook Clinic', phoneNumberId: '8300001', token: 'EAAGhooktoken0123456789abcdefghijk', chatId: CHAT, locale: 'en' }],
    workerFlags: ['--telegram-webhook'],
    extraEnv: { BOTCTL_PUBLIC_URL: `http://127.0.0.1:${port}` },
    port,
  });
}, 60_000);
afterAll(async () => h?.close());

test('in webhook mode Telegram updates arrive through the Hono server with the secret token, and a forged call is refused', async () => {
  const from = '77093000001';
  h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'asked for a person' } } });
  await h.deliver(inboundNotification({ phoneNumberId: '8300001', messages: [textMessage({ from, body: 'A person please' })] }));
  await until(() => tg.messagesIn(CHAT).some((m) => m.text?.startsWith('Request #')), 10_000, 'the card');
  const card = tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Request #'))!;
  const data = (card.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
  tg.userPresses(CHAT, MANAGER, card.message_id, data);
  await until(() => h.query<{ status: string }>('SELECT status FROM handovers')[0]?.status === 'taken', 10_000, 'taken by webhook');
  expect(tg.webhookDeliveries.length).toBeGreaterThan(0);
  expect(tg.webhookDeliveries.every((d) => d.url === `http://127.0.0.1:${port}/webhooks/telegram`)).toBe(true);

  const forged = await fetch(`http://127.0.0.1:${port}/webhooks/telegram`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'guess' },
    body: JSON.stringify({ update_id: 999999, callback_query: { id: '1', from: MANAGER, chat_instance: '1', data: `h:1:r`, message: { message_id: card.message_id, date: 0, chat: { id: CHAT, type: 'supergroup', title: 'x' } } } }),
  });
  expect(forged.status).toBe(401);
  expect(h.query<{ status: string }>('SELECT status FROM handovers')[0]!.status).toBe('taken');
}, 40_000);
