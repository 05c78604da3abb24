import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const CHAT = -1001000000303;
const IGOR: User = { id: 7101, is_bot: false, first_name: 'Igor' };
const CUSTOMER = '77017654321';
const dir = mkdtempSync(join(tmpdir(), 'botctl-learning-'));
const FAQ = join(dir, 'faq.json');
writeFileSync(FAQ, JSON.stringify([{ question: 'Do you repair gearboxes?', answer: 'Yes, gearbox repair starts at 70 000 ₸.' }]));
const FORUM_CHAT = -1001000000404;
const TYRES = { slug: 'tyres', name: 'Tyre Shop', phoneNumberId: '6200002', token: 'EAAGlearntyres0123456789abcdefghijk', chatId: FORUM_CHAT, locale: 'en' };
const GARAGE = { slug: 'garage', name: 'Bolt Garage', phoneNumberId: '6200001', token: 'EAAGlearngarage0123456789abcdefghi', chatId: CHAT, locale: 'en', knowledge: [FAQ] };

let tg: TelegramSimulator;
let h: PipelineCell;

const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: GARAGE.phoneNumberId, messages: [textMessage({ from: CUSTOMER, body })], contacts: [{ waId: CUSTOMER, name: 'Ivan Petrov' }] }));
const toCustomer = () => h.graph.messagesTo(CUSTOMER).map((s) => (s.body.text as { body: string }).body);
const items = () => h.query<Record<string, unknown>>("SELECT * FROM learned_items WHERE origin = 'proposed' ORDER BY id");
const digests = () => tg.messagesIn(CHAT).filter((m) => m.text?.startsWith('🎓 What the bot learned'));
const proposeCalls = () => h.llm!.requests.filter((r) => (r.body.tools ?? []).some((t) => t.type === 'function' && t.function.name === 'record_knowledge_entries'));
/** The day's digest is due: what the clock reaching --learning-digest-at does. */
const digestIsDue = () => {
  const db = new Database(join(h.cell.dataDir, 'botctl.db'));
  try {
    return db.prepare("UPDATE jobs SET run_at = ? WHERE kind = 'learning.digest' AND state = 'pending'").run(Date.now()).changes;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHAT, type: 'supergroup', title: 'Garage managers', members: [IGOR] });
  tg.createChat({ id: FORUM_CHAT, type: 'supergroup', title: 'Tyre managers', isForum: true, botIsAdmin: true, botCanManageTopics: true, members: [IGOR] });
  h = await PipelineCell.start({ tenants: [GARAGE, TYRES], telegram: tg });
}, 60_000);
afterAll(async () => h?.close());

describe('proposals from resolved requests (real worker, simulators)', () => {
  test('resolve → proposals without customer details (one an update) → kill -9 twice → one digest → approve in Telegram, reject from the CLI', async () => {
    // A request the knowledge cannot answer; the customer leaves their details; the manager answers two questions.
    await say('What are your opening hours on Sunday? Write me at ivan.petrov@mail.kz or call +7 701 765 43 21.');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.startsWith('Request #')), 30_000, 'the card');
    const card = tg.messagesIn(CHAT).find((m) => m.text?.startsWith('Request #'))!;
    await until(() => h.query('SELECT 1 FROM handovers WHERE telegram_message_id IS NOT NULL').length === 1, 30_000, 'the card recorded');
    tg.userSends(CHAT, IGOR, 'Hello Ivan! On Sunday we are open from 10:00 to 16:00, Ivan; we will also mail it to ivan.petrov@mail.kz.', { replyTo: card.message_id });
    await until(() => toCustomer().some((t) => t.includes('10:00 to 16:00')), 30_000, 'the answer on WhatsApp');
    await say('Do you repair gearboxes?');
    await until(() => tg.messagesIn(CHAT).some((m) => m.text?.includes('Do you repair gearboxes?')), 30_000, 'the relay');
    tg.userSends(CHAT, IGOR, 'Yes, gearbox repair now starts at 80 000 ₸.', { replyTo: card.message_id });
    await until(() => toCustomer().some((t) => t.includes('80 000')), 30_000, 'the second answer');

    // The model is asked while the worker dies (kill -9 with the request in flight).
    h.llm!.enqueue({ hang: true });
    const handoverId = h.query<{ id: number }>('SELECT id FROM handovers')[0]!.id;
    tg.userPresses(CHAT, IGOR, card.message_id, `h:${handoverId}:r`);
    await until(() => proposeCalls().length === 1, 30_000, 'the proposal request');
    await h.worker.kill();
    expect(items()).toEqual([]);
    await h.restartWorker();
    await until(() => items().length === 2, 30_000, 'the proposals after the restart');
    // The resolved card keeps one button: Teach the bot.
    await until(() => (tg.message(CHAT, card.message_id)!.reply_markup?.inline_keyboard.flat() ?? []).map((b) => b.text).join() === '🎓 Teach the bot', 45_000, 'the resolved card');

    const [hours, gearbox] = items();
    expect(hours).toMatchObject({ status: 'proposed', question: 'What are your opening hours on Sunday?', answer: 'On Sunday we are open from 10:00 to 16:00; we will also mail it to.', handover_number: 1, updates_source: null });
    expect(gearbox).toMatchObject({ status: 'proposed', question: 'Do you repair gearboxes?', answer: 'Yes, gearbox repair now starts at 80 000 ₸.', updates_source: 'faq.json', updates_answer: 'Yes, gearbox repair starts at 70 000 ₸.' });
    const stored = JSON.stringify(h.query('SELECT question, answer FROM learned_items'));
    for (const detail of ['Ivan', 'Petrov', 'ivan.petrov@mail.kz', '765 43 21', '7017654321']) expect(stored).not.toContain(detail);
    expect(h.query("SELECT count(*) AS n FROM kb_sources WHERE name = 'learned'")).toEqual([{ n: 0 }]); // nothing live without a person

    // Killed again between the proposals and the digest: nothing lost, nothing doubled.
    await h.worker.kill();
    await h.restartWorker();
    expect(digestIsDue()).toBe(1);
    await until(() => digests().length === 1 && items().every((i) => i.digest_id !== null), 30_000, 'the digest');
    await new Promise((r) => setTimeout(r, 500));
    expect(digests()).toHaveLength(1);
    expect(items()).toHaveLength(2);
    expect(proposeCalls()).toHaveLength(2); // the hung one and the one after the restart; none after the second kill
    const digest = digests()[0]!;
    expect(digest.text).toContain('1. What are your opening hours on Sunday?');
    expect(digest.text).toContain('2. Do you repair gearboxes?');
    expect(digest.text).toContain('Update of an entry in faq.json; it said: Yes, gearbox repair starts at 70 000 ₸.');
    const data = (digest.reply_markup!.inline_keyboard.flat() as { text: string; callback_data: string }[]);
    expect(data.map((b) => b.text)).toEqual(['✅ 1 Approve', '❌ 1 Reject', '✅ 2 Approve', '❌ 2 Reject']);

    // Approve the first in Telegram, reject the second from the CLI: the digest shows both decisions.
    tg.userPresses(CHAT, IGOR, digest.message_id, data[0]!.callback_data);
    await until(() => items()[0]!.status === 'live', 30_000, 'approved from Telegram');
    const rejected = await botctl(['kb', 'proposals', 'garage', 'reject', String(items()[1]!.id)], h.cell.env);
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    expect(items()[1]).toMatchObject({ status: 'rejected' });
    await until(() => (tg.message(CHAT, digest.message_id)!.text ?? '').includes('rejected by operator'), 30_000, 'the digest redrawn');
    expect(tg.message(CHAT, digest.message_id)!.text).toContain('approved by Igor');
    expect(tg.message(CHAT, digest.message_id)!.reply_markup?.inline_keyboard.flat() ?? []).toEqual([]);

    const learned = await botctl(['kb', 'learned', 'garage', '--json'], h.cell.env);
    expect(JSON.parse(learned.stdout)).toMatchObject([{ question: 'What are your opening hours on Sunday?', origin: 'proposed', request: 1, decidedBy: 'Igor' }]);
    expect(h.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'kb.learned.%' ORDER BY id").map((r) => r.action)).toEqual(['kb.learned.approve', 'kb.learned.reject']);
    expect(h.query("SELECT count(*) AS n FROM jobs WHERE state = 'dead'")).toEqual([{ n: 0 }]);
  }, 180_000);

  test('in a forum group: answer in the topic, resolve (the topic closes), Teach on the resolved card, Save; --learning off hides Teach', async () => {
    const customer = '77017650000';
    const ask = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TYRES.phoneNumberId, messages: [textMessage({ from: customer, body })], contacts: [{ waId: customer, name: 'Olga' }] }));
    const cardsHere = () => tg.historyIn(FORUM_CHAT).filter((m) => m.text?.startsWith('Request #'));
    const buttonsOf = (id: number) => (tg.message(FORUM_CHAT, id)!.reply_markup?.inline_keyboard.flat() ?? []) as { text: string; callback_data: string }[];
    await ask('Do you sell winter tyres?');
    await until(() => cardsHere().length === 1, 30_000, 'the card in its topic');
    const card = cardsHere()[0]!;
    const handoverId = h.query<{ id: number }>("SELECT h.id FROM handovers h JOIN tenants t ON t.id = h.tenant_id WHERE t.slug = 'tyres'")[0]!.id;
    await until(() => h.query('SELECT 1 FROM handovers WHERE id = ? AND telegram_message_id IS NOT NULL', handoverId).length === 1, 30_000, 'the card recorded');
    tg.userSends(FORUM_CHAT, IGOR, 'Yes, winter tyres from 25 000 ₸ per wheel, fitting included.', { threadId: card.threadId! });
    await until(() => h.graph.messagesTo(customer).some((m) => (m.body.text as { body: string }).body.includes('25 000')), 30_000, 'the answer on WhatsApp');
    tg.userPresses(FORUM_CHAT, IGOR, card.message_id, `h:${handoverId}:r`);
    await until(() => tg.topics(FORUM_CHAT).every((t) => t.closed), 30_000, 'the topic closed');
    await until(() => buttonsOf(card.message_id).map((b) => b.text).join() === '🎓 Teach the bot', 45_000, 'Teach on the resolved card');

    tg.userPresses(FORUM_CHAT, IGOR, card.message_id, buttonsOf(card.message_id)[0]!.callback_data);
    const draftMessage = () => tg.historyIn(FORUM_CHAT).find((m) => m.text?.startsWith('🎓 Draft'));
    await until(() => draftMessage() && (draftMessage()!.reply_markup?.inline_keyboard.flat().length ?? 0) === 3, 30_000, 'the draft');
    expect(draftMessage()!.isTopicMessage).toBe(false); // the closed topic takes no messages: the general topic does
    expect(draftMessage()!.text).toContain('winter tyres from 25 000 ₸ per wheel');
    tg.userPresses(FORUM_CHAT, IGOR, draftMessage()!.message_id, (draftMessage()!.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data);
    await until(() => h.query("SELECT 1 FROM learned_items i JOIN tenants t ON t.id = i.tenant_id WHERE t.slug = 'tyres' AND i.origin = 'taught' AND i.status = 'live'").length === 1, 30_000, 'saved');

    // Learning off: the next answered request offers no Teach.
    const off = await botctl(['tenant', 'update', 'tyres', '--learning', 'off'], h.cell.env);
    expect(off.exitCode, off.stderr).toBe(0);
    await ask('Do you store tyres for the summer?');
    await until(() => cardsHere().length === 2, 30_000, 'the second card');
    const second = cardsHere()[1]!;
    await until(() => h.query("SELECT 1 FROM handovers h JOIN tenants t ON t.id = h.tenant_id WHERE t.slug = 'tyres' AND h.number = 2 AND h.telegram_message_id IS NOT NULL").length === 1, 30_000, 'the card recorded');
    tg.userSends(FORUM_CHAT, IGOR, 'Yes, storage is 8 000 ₸ a season.', { threadId: second.threadId! });
    await until(() => h.graph.messagesTo(customer).some((m) => (m.body.text as { body: string }).body.includes('8 000')), 30_000, 'the answer on WhatsApp');
    await until(() => buttonsOf(second.message_id).some((b) => b.text === 'Take over')
      && h.query("SELECT 1 FROM handovers h JOIN tenants t ON t.id = h.tenant_id WHERE t.slug = 'tyres' AND h.number = 2 AND h.first_response_at IS NOT NULL").length === 1
      && h.query("SELECT 1 FROM jobs WHERE kind = 'desk.update_card' AND state IN ('pending', 'running')").length === 0, 45_000, 'the card redrawn after the answer');
    expect(buttonsOf(second.message_id).map((b) => b.text)).toEqual(['Resolve', 'Release', 'Take over']);
  }, 180_000);
});
