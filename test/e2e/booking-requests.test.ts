import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const CHAT = -1001000000017;
const ALIYA: User = { id: 7001, is_bot: false, first_name: 'Алия' };
const BOB: User = { id: 7002, is_bot: false, first_name: 'Bob' };
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6000017', token: 'EAAGbookingtoken0123456789abcdefghij', chatId: CHAT, knowledge: [join(KB, 'smile-services.md')] };
const SERVICES = [
  { name: 'Чистка / Cleaning / Тазалау', duration: '1h', price: '15 000 ₸' },
  { name: 'Отбеливание / Whitening / Ағарту', duration: '1h30m', price: '45 000 ₸' },
];

let tg: TelegramSimulator;
let h: PipelineCell;

const say = (from: string, body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: 'WhatsApp name' }] }));
const toCustomer = (phone: string) => h.graph.messagesTo(phone).map((s) => (s.body.text as { body: string }).body);
const cards = () => tg.messagesIn(CHAT).filter((m) => /№\d+|#\d+/.test(m.text ?? '') && /📅/.test(m.text ?? ''));
const bookingsOf = (phone: string) => h.query<{ id: number; state: string; service: string; preferred_time: string; customer_name: string; card_message_id: number | null }>(
  'SELECT b.* FROM sales_bookings b JOIN contacts c ON c.id = b.contact_id WHERE c.provider_id = ? ORDER BY b.id', phone);
/** The card the cell recorded for the request (the one it edits), else the first one posted for it. */
const cardOf = (bookingId: number) => {
  const recorded = h.query<{ card_message_id: number | null }>('SELECT card_message_id FROM sales_bookings WHERE id = ?', bookingId)[0]?.card_message_id;
  if (recorded) return tg.message(CHAT, recorded);
  return tg.messagesIn(CHAT).find((m) => m.text?.includes(`${bookingId}`) && m.text.includes('📅'));
};
const press = (bookingId: number, user: User, code: 'c' | 'a' | 'd') => tg.userPresses(CHAT, user, cardOf(bookingId)!.message_id, `b:${bookingId}:${code}`);

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Smile managers', members: [ALIYA, BOB] });
  // A short lease: a job the killed worker held runs again within seconds (the lease is what makes it claimable).
  h = await PipelineCell.start({ tenants: [TENANT], telegram: tg, workerFlags: ['--lease-ms', '2000'] });
  const file = join(h.cell.dir, 'services.json');
  writeFileSync(file, JSON.stringify(SERVICES));
  const set = await botctl(['services', 'set', TENANT.slug, '--file', file], h.cell.env);
  expect(set.exitCode, set.stderr).toBe(0);
}, 60_000);
afterAll(async () => h?.close());

describe('booking requests end to end on the real worker', () => {
  test('ru: the bot gathers the details, a card, nothing confirmed before the manager; a kill -9 loses nothing; Confirm reaches the customer', async () => {
    const phone = '77051110001';
    await say(phone, 'Здравствуйте! Хочу записаться на чистку завтра в 15:00');
    await until(() => toCustomer(phone).length === 1, 15_000, 'the question for the name');
    expect(toCustomer(phone)[0]).toContain('ваше имя');
    expect(bookingsOf(phone)).toHaveLength(0);

    await say(phone, 'Меня зовут Айгерим');
    await until(() => bookingsOf(phone).length === 1, 15_000, 'the booking request');
    // The worker dies between the request and the decision, and comes back. The kill may land while the reply or the
    // card is on the wire: then the send is made again after the restart (nothing lost; at most one duplicate, the
    // one-round-trip window of docs/decisions/0023). Everything after is counted from what was there by then.
    await h.worker.kill();
    await h.restartWorker();
    const passedOn = () => toCustomer(phone).filter((t) => t.includes('Время ещё не забронировано'));
    await until(() => passedOn().length >= 1 && cards().length >= 1 && bookingsOf(phone)[0]!.card_message_id !== null, 30_000, 'the "passed to a manager" reply and the recorded card');
    await new Promise((r) => setTimeout(r, 1500)); // a resend after the restart would have landed by now
    expect(passedOn().length).toBeLessThanOrEqual(2);
    expect(cards().length).toBeLessThanOrEqual(2);
    const cardsAfterRestart = cards().length;
    const sentBefore = toCustomer(phone).length;
    const booking = bookingsOf(phone)[0]!;
    expect(booking).toMatchObject({ state: 'requested', service: SERVICES[0]!.name, preferred_time: 'завтра в 15:00', customer_name: 'Айгерим' });
    expect(toCustomer(phone).some((t) => t.includes('подтверждена'))).toBe(false);
    const card = cardOf(booking.id)!;
    expect(card.text).toContain('завтра в 15:00');
    expect(card.text).toContain('+77051110001');
    expect(card.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['Подтвердить', 'Другое время', 'Отклонить']);

    // Two managers decide at once: the first decision wins, the customer hears it once.
    press(booking.id, ALIYA, 'c');
    press(booking.id, BOB, 'd');
    await until(() => tg.callbackAnswers.filter((a) => a.fromId === ALIYA.id || a.fromId === BOB.id).length >= 2, 10_000, 'both presses answered');
    await until(() => toCustomer(phone).length === sentBefore + 1, 10_000, 'the decision on WhatsApp');
    const decided = bookingsOf(phone)[0]!;
    const winner = decided.state === 'confirmed' ? ALIYA : BOB;
    expect(tg.callbackAnswers.find((a) => a.fromId === (winner === ALIYA ? BOB : ALIYA).id)!.text).toBe('По этой заявке уже есть решение.');
    expect(toCustomer(phone).at(-1)).toContain(decided.state === 'confirmed' ? 'ваша запись подтверждена' : 'не можем принять запись');
    await until(() => !tg.message(CHAT, card.message_id)!.reply_markup?.inline_keyboard.flat().length, 10_000, 'the card without buttons');
    expect(tg.message(CHAT, card.message_id)!.text).toContain(winner.first_name);
    const trail = h.query<{ state: string; actor_kind: string; actor_name: string | null }>('SELECT state, actor_kind, actor_name FROM sales_booking_events WHERE booking_id = ? ORDER BY id', booking.id);
    expect(trail).toEqual([{ state: 'requested', actor_kind: 'bot', actor_name: null }, { state: decided.state, actor_kind: 'manager', actor_name: winner.first_name }]);

    // Later the customer asks about the appointment: the bot answers from the booking's state.
    await say(phone, 'Когда моя запись?');
    await until(() => toCustomer(phone).length === sentBefore + 2, 15_000, 'the answer about the appointment');
    expect(toCustomer(phone).at(-1)).toContain('завтра в 15:00');
    expect(cards()).toHaveLength(cardsAfterRestart); // a decision edits the card; it never posts another
    expect(h.query("SELECT count(*) AS n FROM jobs WHERE state = 'dead'")).toEqual([{ n: 0 }]);
  }, 90_000);

  test('en: a complete request in one message; Offer another time reaches the customer in English', async () => {
    const phone = '447700900017';
    await say(phone, "Hi, I'd like to book a cleaning tomorrow at 3 pm, my name is John");
    await until(() => bookingsOf(phone).length === 1 && toCustomer(phone).length === 1, 15_000, 'the request');
    expect(toCustomer(phone)[0]).toContain('not booked until a manager confirms');
    const booking = bookingsOf(phone)[0]!;
    expect(booking).toMatchObject({ preferred_time: 'tomorrow at 3 pm', customer_name: 'John' });
    await until(() => cardOf(booking.id) !== undefined, 15_000, 'the card');
    press(booking.id, BOB, 'a');
    await until(() => toCustomer(phone).length === 2, 10_000, 'the other-time message');
    expect(toCustomer(phone)[1]).toBe(`John, unfortunately tomorrow at 3 pm is not available for ${SERVICES[0]!.name}. Please suggest another day or time that suits you.`);
    expect(bookingsOf(phone)[0]!.state).toBe('other_time');
  }, 60_000);

  test('kk: Decline reaches the customer in Kazakh; `botctl bookings` shows every request with its trail', async () => {
    const phone = '77011110003';
    await say(phone, 'Сәлеметсіз бе! Ертең 10:00 ағартуға жазылғым келеді, менің атым Дана');
    await until(() => bookingsOf(phone).length === 1 && toCustomer(phone).length === 1, 15_000, 'the request');
    expect(toCustomer(phone)[0]).toContain('менеджерге жібердім');
    const booking = bookingsOf(phone)[0]!;
    expect(booking).toMatchObject({ service: SERVICES[1]!.name, preferred_time: 'Ертең 10:00', customer_name: 'Дана' });
    await until(() => cardOf(booking.id) !== undefined, 15_000, 'the card');
    press(booking.id, ALIYA, 'd');
    await until(() => toCustomer(phone).length === 2, 10_000, 'the decline');
    expect(toCustomer(phone)[1]).toContain('жазылуын қабылдай алмаймыз');

    const listed = await botctl(['bookings', TENANT.slug, '--json'], h.cell.env);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: number; state: string; events: { state: string }[] }[];
    expect(rows.map((r) => r.state).sort()).toEqual(['declined', 'other_time', expect.stringMatching(/confirmed|declined/)].sort());
    expect(rows.find((r) => r.id === booking.id)!.events.map((e) => e.state)).toEqual(['requested', 'declined']);
  }, 60_000);
});
