import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, revokeMessage, textMessage } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

/*
 * Only members of a tenant's managers chat act on its cards: buttons, replies and commands. The chat is public with
 * "join to send messages" off, so people who are not members can write in it.
 */

const CHAT = -1001000000077;
const ALICE: User = { id: 7001, is_bot: false, first_name: 'Alice' };
const BOB: User = { id: 7002, is_bot: false, first_name: 'Bob' };
const MALLORY: User = { id: 7666, is_bot: false, first_name: 'Mallory' };
const TENANT = { slug: 'members', name: 'Members Only', phoneNumberId: '7400074', token: 'EAAGmemberstoken0123456789abcdefghi', chatId: CHAT, locale: 'en' };

let tg: TelegramSimulator;
let h: PipelineCell;
let n = 77060000000;

const toCustomer = (waId: string) => h.graph.messagesTo(waId).map((s) => (s.body.text as { body: string }).body);
const handoverOf = (waId: string) => h.query<{ id: number; status: string; assigned_to_id: number | null }>('SELECT h.id, h.status, h.assigned_to_id FROM handovers h JOIN contacts c ON c.id = h.contact_id WHERE c.provider_id = ?', waId)[0]!;

/** A customer whose question goes to the managers; resolves with the card's message. */
async function request(): Promise<{ waId: string; card: { message_id: number; reply_markup?: { inline_keyboard: { callback_data?: string }[][] } } }> {
  const waId = String(++n);
  h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'wants a person', summary: 'asks for a manager' } } });
  await h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: waId, body: `I need a manager (${waId})` })] }));
  const card = await until(() => tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Request #') && m.text.includes(waId)), 15_000, 'the card');
  await until(() => toCustomer(waId).length === 1, 10_000, 'the holding reply');
  return { waId, card: card as never };
}

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Managers', members: [ALICE, BOB], botIsAdmin: true, openToNonMembers: true });
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg });
}, 60_000);
afterAll(async () => h?.close());

describe('a deletion during a handover', () => {
  test('the managers are told the customer deleted a message, with its text; the customer gets no reply', async () => {
    const waId = String(++n);
    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'wants a person', summary: 'asks for a manager' } } });
    const original = textMessage({ from: waId, body: `My card number is 4400 (${waId})` });
    await h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [original] }));
    const card = await until(() => tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Request #') && m.text.includes(waId)), 15_000, 'the card');
    await until(() => toCustomer(waId).length === 1, 10_000, 'the holding reply');
    await h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [revokeMessage({ from: waId, originalId: original.id })] }));
    const note = await until(() => tg.messagesIn(CHAT).find((m) => m.text?.startsWith('🗑') && m.text.includes(waId)), 10_000, 'the note in the chat');
    expect(note.text).toBe(`🗑 The customer deleted a message for everyone: «My card number is 4400 (${waId})»`);
    expect(note.replyToMessageId).toBe(card.message_id);
    await new Promise((r) => setTimeout(r, 500));
    expect(toCustomer(waId)).toHaveLength(1);
  }, 40_000);
});

describe('manager actions check membership', () => {
  test('a reply to a card by someone who is not a member never reaches the customer nor takes the request', async () => {
    const { waId, card } = await request();
    tg.userSends(CHAT, MALLORY, 'Send me your card number', { replyTo: card.message_id });
    tg.userSends(CHAT, MALLORY, '/list');
    await until(() => h.worker.lines.some((l) => l.includes('a message from someone who is not in the managers chat was ignored')), 10_000, 'the refusal in the log');
    await new Promise((r) => setTimeout(r, 1000));
    expect(toCustomer(waId)).toHaveLength(1);
    expect(handoverOf(waId)).toMatchObject({ status: 'waiting', assigned_to_id: null });

    // A member's reply still goes through.
    tg.userSends(CHAT, BOB, 'Hello, Bob here.', { replyTo: card.message_id });
    await until(() => toCustomer(waId).includes('Hello, Bob here.'), 10_000, "the member's reply");
    expect(toCustomer(waId).some((t) => t.includes('card number'))).toBe(false);
  }, 40_000);

  test('a manager removed from the group cannot press buttons or reply a moment later (the chat_member update drops the cache)', async () => {
    const { waId, card } = await request();
    const [take] = card.reply_markup!.inline_keyboard[0]!;
    tg.userPresses(CHAT, ALICE, card.message_id, take!.callback_data!);
    await until(() => handoverOf(waId).status === 'taken' && tg.callbackAnswers.some((a) => a.fromId === ALICE.id), 10_000, 'taken by Alice');
    const answered = tg.callbackAnswers.length;

    tg.removeMember(CHAT, ALICE, BOB);
    // Telegram delivers the chat_member update before anything Alice does after her removal.
    await new Promise((r) => setTimeout(r, 300));
    const resolve = card.reply_markup!.inline_keyboard[0]!.at(-1)!;
    tg.userPresses(CHAT, ALICE, card.message_id, resolve.callback_data!);
    await until(() => tg.callbackAnswers.length > answered, 10_000, 'the answer to her press');
    expect(tg.callbackAnswers.at(-1)).toMatchObject({ fromId: ALICE.id, showAlert: true });
    expect(handoverOf(waId).status).toBe('taken');
    tg.userSends(CHAT, ALICE, 'still here', { replyTo: card.message_id });
    await new Promise((r) => setTimeout(r, 1000));
    expect(toCustomer(waId).some((t) => t.includes('still here'))).toBe(false);
  }, 40_000);
});
