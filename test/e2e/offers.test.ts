import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const CHAT = -1001000000317;
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6000317', token: 'EAAGofferstoken0123456789abcdefghijk', chatId: CHAT };
const OFFER = 'С чисткой отбеливание со скидкой 20%: 36 000 ₸.';

let tg: TelegramSimulator;
let h: PipelineCell;

const cli = async (args: string[]) => {
  const result = await botctl(args, h.cell.env);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
};
const say = (from: string, body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })] }));
const toCustomer = (phone: string) => h.graph.messagesTo(phone).map((s) => (s.body.text as { body: string }).body);
const lastPrompt = () => JSON.stringify(h.llm!.requests.at(-1)!.body.messages);
const counts = async () => (JSON.parse(await cli(['offers', 'list', TENANT.slug, '--json'])) as { offered: number; accepted: number }[])[0]!;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [] });
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg });
  const file = join(h.cell.dir, 'services.json');
  writeFileSync(file, JSON.stringify([{ name: 'Чистка', duration: '1h', price: '15 000 ₸' }, { name: 'Отбеливание', duration: '1h30m', price: '45 000 ₸' }]));
  await cli(['services', 'set', TENANT.slug, '--file', file]);
  await cli(['offers', 'add', TENANT.slug, '--when', 'клиент спрашивает о чистке', '--text', OFFER, '--service', 'Отбеливание']);
}, 60_000);
afterAll(async () => h?.close());

describe('offers that fit', () => {
  test('offered once per conversation, only from the list; accepted when its service is booked; counts stored', async () => {
    const phone = '77051110301';
    h.llm!.enqueue({ content: `Чистка — 15 000 ₸. ${OFFER}` });
    await say(phone, 'Сколько стоит чистка?');
    await until(() => toCustomer(phone).length === 1, 15_000, 'the answer with the offer');
    expect(lastPrompt()).toContain(OFFER);
    expect(toCustomer(phone)[0]).toContain(OFFER);
    expect(await counts()).toMatchObject({ offered: 1, accepted: 0 });

    // The next turn of the same conversation does not get the offer to make again.
    h.llm!.enqueue({ content: 'Отбеливание — 45 000 ₸.' });
    await say(phone, 'А сколько отбеливание без чистки?');
    await until(() => toCustomer(phone).length === 2, 15_000, 'the second answer');
    expect(lastPrompt()).not.toContain('Предложения');

    // The customer books the offered service: accepted.
    await say(phone, 'Запишите меня на отбеливание завтра в 12:00, меня зовут Асель');
    await until(() => h.query('SELECT 1 FROM sales_bookings').length === 1, 15_000, 'the booking');
    await until(async () => (await counts()).accepted === 1, 10_000, 'accepted counted');
    expect(await counts()).toMatchObject({ offered: 1, accepted: 1 });

    // A model that repeats the offer in the same conversation is vetoed: a manager answers instead.
    h.llm!.enqueue({ content: `Кстати! ${OFFER}` });
    await say(phone, 'А что ещё посоветуете?');
    await until(() => toCustomer(phone).length === 4, 15_000, 'the holding reply');
    expect(toCustomer(phone)[3]).not.toContain(OFFER);
    expect(h.query<{ reason: string }>('SELECT reason FROM handovers')[0]!.reason).toContain('offer not allowed');
    expect(await counts()).toMatchObject({ offered: 1 });
  }, 90_000);

  test('an invented discount is vetoed; a complaining customer is offered nothing', async () => {
    const invented = '77051110302';
    h.llm!.enqueue({ content: 'Сегодня у нас скидка на всё, приходите!' });
    await say(invented, 'Сколько стоит чистка?');
    await until(() => toCustomer(invented).length === 1, 15_000, 'the holding reply');
    expect(toCustomer(invented)[0]).not.toContain('скидка');
    expect(h.query<{ reason: string }>('SELECT h.reason FROM handovers h JOIN contacts c ON c.id = h.contact_id WHERE c.provider_id = ?', invented)[0]!.reason).toContain('discount');

    const angry = '77051110303';
    h.llm!.enqueue({ content: 'Чистка — 15 000 ₸.' });
    await say(angry, 'Ужасное обслуживание, я недовольна. Сколько стоит чистка?');
    await until(() => toCustomer(angry).length === 1, 15_000, 'the answer');
    expect(lastPrompt()).not.toContain(OFFER);
  }, 60_000);
});
