import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeliverMessage } from '../../../src/channels/deliver-message.js';
import { CustomerBotChannel } from '../../../src/channels/telegram/customer-bot-channel.js';
import type { OutboundStore, OutboundToSend } from '../../../src/conversation/ports.js';
import type { Job } from '../../../src/jobs/types.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';

const TOKEN = '7100000216:AAcustomerBotDeliveryTests0123456789';
const CUSTOMER: User = { id: 882001, is_bot: false, first_name: 'Айгерим' };
let tg: TelegramSimulator;
beforeAll(async () => {
  tg = await startTelegramSimulator({ token: TOKEN });
  tg.userWritesPrivately(CUSTOMER, { text: 'Привет' });
});
afterAll(async () => tg?.close());

function run(body: string) {
  const row: OutboundToSend = { id: 1, tenantId: 1, channelAccountId: 3, contactId: 1, handoverId: null, authorKind: 'bot', to: String(CUSTOMER.id), body, type: 'text', media: null, providerMessageId: null, deliveryStatus: 'queued', traceId: 't' };
  const calls: string[] = [];
  const store: OutboundStore = {
    load: () => row, markSent: (_i, mid) => void calls.push(`sent ${mid}`), markFailed: (_i, e) => void calls.push(`failed: ${e}`), markTokenBroken: () => void calls.push('token broken'),
  };
  const deliver = new DeliverMessage({
    outbound: store, tracer: { record: () => {} }, clock: Date.now,
    routes: { forAccount: () => ({ channel: 'telegram', sender: new CustomerBotChannel({ apiRoot: tg.url }), credentials: { externalId: '7100000216', accessToken: TOKEN } }) },
  });
  const job = { id: 1, attempts: 1, maxAttempts: 10, payload: { messageId: 1 } } as unknown as Job;
  return { calls, done: deliver.run(job, new AbortController().signal) };
}
const botTexts = () => tg.messagesIn(CUSTOMER.id).filter((m) => m.from?.is_bot).map((m) => m.text);

describe("a tenant's customer bot delivering (the deliver job, the adapter, the Telegram simulator)", () => {
  test('a reply reaches the private chat; its id is chat:message', async () => {
    const { calls, done } = run('Здравствуйте!');
    await done;
    const sent = tg.messagesIn(CUSTOMER.id).filter((m) => m.from?.is_bot).at(-1)!;
    expect(sent.text).toBe('Здравствуйте!');
    expect(calls).toEqual([`sent ${CUSTOMER.id}:${sent.message_id}`]);
  });

  test('a reply over 4,096 characters goes as several messages, nothing lost', async () => {
    const before = botTexts().length;
    const long = 'а'.repeat(5000);
    await run(long).done;
    expect(botTexts().slice(before).join('')).toBe(long);
  });

  test('a customer who blocked the bot: recorded as undeliverable, not retried', async () => {
    tg.failNext({ method: 'sendMessage', errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
    const { calls, done } = run('Вы тут?');
    await done;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^failed: 403 the customer blocked the bot/);
  });

  test('a 429 is retried after Telegram\'s wait; a revoked token flags the account', async () => {
    tg.failNext({ method: 'sendMessage', errorCode: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const limited = run('Раз');
    await expect(limited.done).rejects.toMatchObject({ reason: 'rate_limited', retryable: true, retryAfterMs: 7000 });
    expect(limited.calls).toEqual([]);
    tg.failNext({ method: 'sendMessage', errorCode: 401, description: 'Unauthorized' });
    const revoked = run('Два');
    await expect(revoked.done).rejects.toThrow(/Telegram 401/);
    expect(revoked.calls[0]).toBe('token broken');
  });
});
