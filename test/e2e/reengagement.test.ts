import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const CHAT = -1001000000217;
const ALIYA: User = { id: 7201, is_bot: false, first_name: 'Алия' };
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6000217', token: 'EAAGreengagetoken0123456789abcdefghi', chatId: CHAT };
const PHONE = '77051110217';

let tg: TelegramSimulator;
let h: PipelineCell;

const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: PHONE, body })], contacts: [{ waId: PHONE, name: 'Айгерим' }] }));
const sent = () => h.graph.messagesTo(PHONE).map((s) => s.body as { type: string; text?: { body: string }; template?: { name: string; components?: { parameters: { text: string }[] }[] } });
const texts = () => sent().filter((m) => m.type === 'text').map((m) => m.text!.body);

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [ALIYA] });
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg });
  const added = await botctl(['tenant', 'templates', 'add', TENANT.slug, '--name', 'follow_up', '--language', 'ru', '--params', 'name', '--purpose', 'reengagement'], h.cell.env);
  expect(added.exitCode, added.stderr).toBe(0);
}, 60_000);
afterAll(async () => h?.close());

describe('131047: the manager reopens the window with the template, and the held text follows the answer', () => {
  test('the delivery line offers the template; after it and the customer\'s answer the manager\'s text arrives once', async () => {
    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'нужен врач' } } });
    await say('Мне нужна консультация врача по снимку');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.startsWith('Запрос №')), 15_000, 'the card');
    const card = tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Запрос №'))!;
    const handoverId = h.query<{ id: number }>('SELECT id FROM handovers')[0]!.id;
    tg.userPresses(CHAT, ALIYA, card.message_id, `h:${handoverId}:t`);
    await until(() => texts().some((t) => t.includes('Меня зовут Алия')), 10_000, 'the greeting');

    // A day later the window is closed: the manager's reply is refused with 131047.
    h.graph.closeWindow(PHONE);
    const reply = tg.userSends(CHAT, ALIYA, 'Снимок посмотрели, всё хорошо. Приходите в пятницу.', { replyTo: card.message_id });
    const line = () => tg.messagesIn(CHAT).find((m) => m.replyToMessageId === reply.message_id);
    await until(() => line()?.reply_markup?.inline_keyboard.flat().length === 1, 15_000, 'the delivery line with the template button');
    expect(line()!.text).toContain('24');
    const button = line()!.reply_markup!.inline_keyboard[0]![0]! as { text: string; callback_data: string };
    expect(button.text).toBe('Отправить шаблон для возобновления');
    expect(texts()).not.toContain('Снимок посмотрели, всё хорошо. Приходите в пятницу.');

    tg.userPresses(CHAT, ALIYA, line()!.message_id, button.callback_data);
    await until(() => sent().some((m) => m.type === 'template'), 10_000, 'the template');
    expect(sent().find((m) => m.type === 'template')!.template).toMatchObject({ name: 'follow_up', components: [{ parameters: [{ text: 'Айгерим' }] }] });
    await until(() => tg.message(CHAT, line()!.message_id)!.text!.includes('клиент ответит'), 10_000, 'the line to say the message is held');
    // A second press does not send the template again.
    tg.userPresses(CHAT, ALIYA, line()!.message_id, button.callback_data);
    await until(() => tg.callbackAnswers.filter((a) => a.fromId === ALIYA.id).length >= 3, 10_000, 'the second press answered');

    // The customer answers: the window is open again, and the held text follows once.
    h.graph.openWindow(PHONE);
    await say('Да, слушаю');
    await until(() => texts().includes('Снимок посмотрели, всё хорошо. Приходите в пятницу.'), 15_000, 'the held text');
    await until(() => tg.message(CHAT, line()!.message_id)!.text!.includes('после ответа клиента'), 10_000, 'the line to say it went out');
    await say('Спасибо!');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.includes('Спасибо!')), 10_000, 'the relay');
    expect(texts().filter((t) => t === 'Снимок посмотрели, всё хорошо. Приходите в пятницу.')).toHaveLength(1);
    expect(sent().filter((m) => m.type === 'template')).toHaveLength(1);
    expect(h.query('SELECT count(*) AS n FROM sales_held_messages WHERE released_at IS NOT NULL')).toEqual([{ n: 1 }]);
  }, 60_000);
});
