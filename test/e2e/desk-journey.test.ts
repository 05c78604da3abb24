import { join } from 'node:path';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const CHAT = -1001000000001;
const ONCALL = -1009000000009;
const ALICE: User = { id: 5001, is_bot: false, first_name: 'Алия', last_name: 'Сейтова' };
const BOB: User = { id: 5002, is_bot: false, first_name: 'Bob' };
const CUSTOMER = '77051234567';
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6000006', token: 'EAAGdesktoken0123456789abcdefghijk', chatId: CHAT, knowledge: [join(KB, 'smile-services.md'), join(KB, 'smile-contacts.md')] };

let tg: TelegramSimulator;
let h: PipelineCell;

const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: CUSTOMER, body })], contacts: [{ waId: CUSTOMER, name: 'Айгерим <b>VIP</b>' }] }));
const toCustomer = () => h.graph.messagesTo(CUSTOMER).map((s) => (s.body.text as { body: string }).body);
const card = () => tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Запрос №'));
const handover = () => h.query<Record<string, unknown>>('SELECT * FROM handovers ORDER BY id DESC LIMIT 1')[0]!;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [ALICE, BOB] });
  tg.createChat({ id: ONCALL, type: 'group', title: 'On-call', members: [BOB] });
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg, oncallChatId: ONCALL });
}, 60_000);
afterAll(async () => h?.close());

describe('the managers desk: the whole journey on the real worker', () => {
  test('hand over, take (first press wins), answer, relay, resolve, and the bot answers again — across a SIGKILL', async () => {
    // 1. A question the bot must not answer: holding reply and a card with the history and both buttons.
    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'хочет записаться на время', summary: 'Запись на чистку завтра в 15:00' } } });
    await say('Запишите меня на чистку <завтра> в 15:00 & побыстрее');
    await until(() => toCustomer().length === 1 && card(), 15_000, 'holding reply and card');
    expect(toCustomer()[0]).toContain('Я передал его менеджеру');
    const posted = card()!;
    expect(posted.text).toContain('Айгерим <b>VIP</b>'); // escaped in HTML, shown literally
    expect(posted.text).toContain('Запишите меня на чистку <завтра> в 15:00 & побыстрее');
    expect(posted.text).toContain('хочет записаться на время');
    expect(posted.text).toContain('Запись на чистку завтра в 15:00');
    expect(posted.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['Взять', 'Решено']);

    // 2. Two managers press Take at once: exactly one wins.
    const take = posted.reply_markup!.inline_keyboard[0]![0]! as { callback_data: string };
    tg.userPresses(CHAT, ALICE, posted.message_id, take.callback_data);
    tg.userPresses(CHAT, BOB, posted.message_id, take.callback_data);
    await until(() => tg.callbackAnswers.length >= 2, 10_000, 'both presses answered');
    const answers = tg.callbackAnswers.map((a) => a.text ?? '');
    const winner = answers[0]!.startsWith('Запрос') ? ALICE : BOB;
    const loser = winner === ALICE ? BOB : ALICE;
    expect(answers.filter((a) => a.includes('ваш'))).toHaveLength(1);
    expect(tg.callbackAnswers.find((a) => a.fromId === loser.id)!.text).toBe(`Уже взял(а) ${winner.first_name}${winner.last_name ? ` ${winner.last_name}` : ''}`);
    expect(handover()).toMatchObject({ status: 'taken', assigned_to_id: winner.id });
    expect(handover().taken_at).toBeTypeOf('number');

    // 3. The customer is greeted by the winner's name; the card shows who took it.
    await until(() => toCustomer().length === 2, 10_000, 'the greeting');
    expect(toCustomer()[1]).toContain(`Меня зовут ${winner.first_name}`);
    await until(() => tg.message(CHAT, posted.message_id)!.text!.includes('Взял(а)'), 10_000, 'the card to show the owner');

    // 4. The worker dies in the middle of the journey and comes back. Killed only once every send is recorded: a kill
    // while a send's answer is on the wire repeats that send after the restart (the one-round-trip window,
    // docs/decisions/0023), which is not what this journey is about.
    await until(() => h.query("SELECT 1 FROM jobs WHERE state IN ('pending', 'running') AND (kind = 'deliver_message' OR kind LIKE '%card%')").length === 0, 10_000, 'every send recorded');
    await h.worker.kill();
    await h.restartWorker();

    // 5. The manager's reply to the card reaches WhatsApp; first_response_at is set; the manager sees it was sent.
    const reply = tg.userSends(CHAT, winner, 'Здравствуйте! Записала вас на завтра, 15:00.', { replyTo: posted.message_id });
    await until(() => toCustomer().length === 3, 10_000, 'the manager reply on WhatsApp');
    expect(toCustomer()[2]).toBe('Здравствуйте! Записала вас на завтра, 15:00.');
    expect(handover().first_response_at).toBeTypeOf('number');
    await until(() => tg.messagesIn(CHAT).some((m) => m.replyToMessageId === reply.message_id && m.text?.includes('отправлено')), 10_000, 'the delivery line');

    // 6. The customer writes twice more: both relayed, the bot is silent, "already handling" only once.
    const llmCalls = h.llm!.requests.length;
    await say('Спасибо! А можно ещё и отбеливание?');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.includes('А можно ещё и отбеливание?')), 10_000, 'first relay');
    await say('И сколько это стоит?');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.includes('И сколько это стоит?')), 10_000, 'second relay');
    await new Promise((r) => setTimeout(r, 700));
    expect(h.llm!.requests.length).toBe(llmCalls);
    expect(toCustomer().filter((t) => t.includes('уже у менеджера'))).toHaveLength(1);

    // 7. Resolve: the card shows the outcome; the next question is answered by the bot.
    tg.userPresses(CHAT, winner, posted.message_id, `h:${handover().id}:r`);
    await until(() => handover().status === 'resolved', 10_000, 'resolved');
    expect(handover()).toMatchObject({ resolved_by_id: winner.id });
    await until(() => tg.message(CHAT, posted.message_id)!.text!.includes('Решён'), 10_000, 'the card to show the outcome');
    h.llm!.enqueue({ content: 'Отбеливание Zoom 4 — 45 000 ₸.' });
    const before = toCustomer().length;
    await say('Сколько стоит отбеливание?');
    await until(() => toCustomer().length === before + 1, 10_000, 'the bot answers again');
    expect(toCustomer().at(-1)).toBe('Отбеливание Zoom 4 — 45 000 ₸.');

    // Nothing lost or doubled across the kill.
    const sent = toCustomer();
    expect(new Set(sent).size).toBe(sent.length);
    expect(tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('Запрос №'))).toHaveLength(1);
    expect(h.query("SELECT count(*) AS n FROM jobs WHERE state = 'dead'")).toEqual([{ n: 0 }]);
  }, 90_000);

  test('a press from someone who is not in the managers chat is refused', async () => {
    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'жалоба' } } });
    await say('У меня жалоба на врача');
    await until(() => tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('Запрос №')).length === 2, 15_000, 'the second card');
    const second = tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('Запрос №')).at(-1)!;
    const stranger: User = { id: 6666, is_bot: false, first_name: 'Stranger' };
    tg.addMember(CHAT, stranger);
    tg.userPresses(CHAT, stranger, second.message_id, `h:${handover().id}:t`);
    tg.chat(CHAT).members.delete(stranger.id); // left the group before the bot checked
    await until(() => tg.callbackAnswers.some((a) => a.fromId === stranger.id), 10_000, 'the refusal');
    expect(tg.callbackAnswers.find((a) => a.fromId === stranger.id)).toMatchObject({ text: 'Эта кнопка только для менеджеров этого чата', showAlert: true });
    expect(handover().status).toBe('waiting');
  }, 30_000);
});
