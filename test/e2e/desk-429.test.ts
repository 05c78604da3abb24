import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

/*
 * Telegram answering 429 (retry_after 5) to every sendMessage for a minute while eight requests come in: the card
 * jobs wait, time out and retry, and every abandoned attempt is cancelled, so each card is posted exactly once.
 */

const CHAT = -1001000000429;
const ALICE: User = { id: 8001, is_bot: false, first_name: 'Alice' };
const TENANT = { slug: 'busy', name: 'Busy Shop', phoneNumberId: '7500075', token: 'EAAGbusytoken0123456789abcdefghijk', chatId: CHAT, locale: 'en' };
const CARDS = 8;

let tg: TelegramSimulator;
let h: PipelineCell;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Busy managers', members: [ALICE] });
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg });
}, 60_000);
afterAll(async () => h?.close());

describe('Telegram rate limiting the desk for a minute', () => {
  test('every card is posted exactly once', async () => {
    tg.failNext({ method: 'sendMessage', forMs: 60_000, errorCode: 429, description: 'Too Many Requests: retry after 5', retryAfter: 5 });
    const customers = Array.from({ length: CARDS }, (_, i) => String(77080000001 + i));
    for (const waId of customers) {
      h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'wants a person', summary: `customer ${waId}` } } });
      await h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: waId, body: `Please call me back (${waId})` })] }));
    }
    const cards = () => tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('Request #'));
    await until(() => h.query<{ n: number }>('SELECT count(*) AS n FROM handovers')[0]!.n === CARDS, 20_000, 'eight handovers');
    await until(() => cards().length >= CARDS, 150_000, 'eight cards');
    // Stragglers of abandoned attempts would land in the seconds after: give them time.
    await new Promise((r) => setTimeout(r, 10_000));
    const numbers = cards().map((m) => /^Request #(\d+)/.exec(m.text!)![1]);
    expect(numbers.sort()).toEqual(Array.from({ length: CARDS }, (_, i) => String(i + 1)).sort());
    const stored = h.query<{ n: number }>('SELECT count(*) AS n FROM handovers WHERE telegram_message_id IS NOT NULL')[0]!.n;
    expect(stored).toBe(CARDS);
  }, 200_000);
});
