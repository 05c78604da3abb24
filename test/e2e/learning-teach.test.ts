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
const SMILE_CHAT = -1001000000101;
const BOLT_CHAT = -1001000000202;
const ALICE: User = { id: 7001, is_bot: false, first_name: 'Alice' };
const BOB: User = { id: 7002, is_bot: false, first_name: 'Bob' };
const CAROL: User = { id: 7003, is_bot: false, first_name: 'Carol' };
const DAN: User = { id: 7004, is_bot: false, first_name: 'Dan' };
const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6100001', token: 'EAAGlearnsmile0123456789abcdefghij', chatId: SMILE_CHAT, locale: 'en', knowledge: [join(KB, 'smile-services.md')] };
const BOLT = { slug: 'bolt', name: 'Bolt Garage', phoneNumberId: '6100002', token: 'EAAGlearnbolt0123456789abcdefghijk', chatId: BOLT_CHAT, locale: 'en', knowledge: [join(KB, 'bolt-garage.md')] };

let tg: TelegramSimulator;
let h: PipelineCell;

const say = (phoneNumberId: string, from: string, name: string, body: string) =>
  h.deliver(inboundNotification({ phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name }] }));
const toCustomer = (phone: string) => h.graph.messagesTo(phone).map((s) => (s.body.text as { body: string }).body);
const cards = (chat: number) => tg.messagesIn(chat).filter((m) => m.text?.startsWith('Request #'));
const drafts = (chat: number) => tg.messagesIn(chat).filter((m) => m.text?.startsWith('🎓 Draft'));
const buttons = (m: { reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] } } | undefined) =>
  (m?.reply_markup?.inline_keyboard.flat() ?? []).map((b) => ({ text: b.text, data: (b as { callback_data: string }).callback_data }));
const button = (m: Parameters<typeof buttons>[0], text: string) => {
  const found = buttons(m).find((b) => b.text.includes(text));
  if (!found) throw new Error(`no button "${text}" in ${JSON.stringify(buttons(m))}`);
  return found.data;
};
const items = () => h.query<Record<string, unknown>>('SELECT * FROM learned_items ORDER BY id');
const answersTo = (user: User) => tg.callbackAnswers.filter((a) => a.fromId === user.id).map((a) => a.text ?? '');

/** A customer question the knowledge lacks, a card, a manager's answer: returns the card message id and the handover id. */
async function answeredRequest(customer: string, name: string, question: string, answer: string, where: { tenant: typeof SMILE; chat: number; manager: User } = { tenant: SMILE, chat: SMILE_CHAT, manager: ALICE }): Promise<{ cardId: number; handoverId: number }> {
  const { tenant, chat, manager } = where;
  const before = cards(chat).length;
  await say(tenant.phoneNumberId, customer, name, question);
  await until(() => cards(chat).length === before + 1, 30_000, 'the card');
  const card = cards(chat).at(-1)!;
  const handoverId = (h.query<{ id: number }>('SELECT id FROM handovers ORDER BY id DESC LIMIT 1')[0]!).id;
  // The card is on Telegram a moment before the worker has recorded it; a reply before that would not be matched.
  await until(() => h.query('SELECT 1 FROM handovers WHERE id = ? AND telegram_message_id IS NOT NULL', handoverId).length === 1, 30_000, 'the card recorded');
  tg.userSends(chat, manager, answer, { replyTo: card.message_id });
  await until(() => toCustomer(customer).includes(answer), 30_000, 'the manager answer on WhatsApp');
  // The desk keeps within Telegram's 20 messages a minute per group, so a busy group's redraws may wait their turn.
  await until(() => buttons(tg.message(chat, card.message_id)).some((b) => b.text.includes('Teach the bot')), 45_000, 'the Teach button on the card');
  return { cardId: card.message_id, handoverId };
}

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: SMILE_CHAT, type: 'supergroup', title: 'Smile managers', members: [ALICE, BOB] });
  tg.createChat({ id: BOLT_CHAT, type: 'supergroup', title: 'Bolt managers', members: [CAROL, DAN] });
  h = await PipelineCell.start({ tenants: [SMILE, BOLT], telegram: tg });
}, 60_000);
afterAll(async () => h?.close());

describe('managers teach the bot from the card (real worker, simulators)', () => {
  test('a question the knowledge lacks → card → answer → Teach → Save → the next customer asking in other words gets the manager\'s fact', async () => {
    const first = '77011110001';
    const answer = 'Hello Aigerim! Yes, we have free parking for 20 cars behind the building; call +7 727 355 00 11 to reserve a place.';
    const { cardId, handoverId } = await answeredRequest(first, 'Aigerim Bekova', 'Do you have parking for cars near the clinic?', answer);
    expect(toCustomer(first)[0]).not.toContain('20 cars'); // the bot did not know: a holding reply

    tg.userPresses(SMILE_CHAT, ALICE, cardId, button(tg.message(SMILE_CHAT, cardId), 'Teach the bot'));
    await until(() => drafts(SMILE_CHAT).length === 1 && buttons(drafts(SMILE_CHAT)[0]).length === 3, 30_000, 'the draft with Save / Edit / Discard');
    const draft = drafts(SMILE_CHAT)[0]!;
    expect(draft.text).toContain('Question: Do you have parking for cars near the clinic?');
    expect(draft.text).toContain('free parking for 20 cars behind the building; call +7 727 355 00 11');
    expect(draft.text).not.toMatch(/Aigerim|77011110001/);
    expect(draft.replyToMessageId).toBe(cardId); // in the request's thread
    expect(buttons(draft).map((b) => b.text)).toEqual(['Save', 'Edit', 'Discard']);
    expect(h.query('SELECT count(*) AS n FROM kb_sources WHERE name = ?', 'learned')).toEqual([{ n: 0 }]); // nothing live before Save

    tg.userPresses(SMILE_CHAT, ALICE, draft.message_id, button(draft, 'Save'));
    // The entry goes live in the press's transaction; the answer to the press follows it over the Bot API.
    await until(() => items()[0]?.status === 'live' && answersTo(ALICE).includes('Saved: the bot answers with it from now on'), 30_000, 'the entry live and the press answered');
    expect(items()[0]).toMatchObject({ origin: 'taught', handover_id: handoverId, created_by_id: ALICE.id, created_by_name: 'Alice', decided_by_name: 'Alice' });
    expect(h.query('SELECT chunk_count FROM kb_sources WHERE name = ?', 'learned')).toEqual([{ chunk_count: 1 }]);
    await until(() => tg.message(SMILE_CHAT, draft.message_id)!.text!.includes('In the bot\'s knowledge'), 30_000, 'the draft shows it is saved');
    expect(buttons(tg.message(SMILE_CHAT, draft.message_id))).toEqual([]);

    // Another customer, other words: the bot answers with the manager's fact, and the facts guardrail lets it through.
    const second = '77011110002';
    await say(SMILE.phoneNumberId, second, 'Dana', 'Is parking for cars available?');
    await until(() => toCustomer(second).length === 1, 30_000, 'the bot answer');
    expect(toCustomer(second)[0]).toContain('free parking for 20 cars');
    expect(toCustomer(second)[0]).toContain('+7 727 355 00 11');
    expect(cards(SMILE_CHAT)).toHaveLength(1); // no handover for the second customer
    const verdict = h.query<{ outcome: string }>("SELECT outcome FROM trace_events WHERE step = 'guardrail.facts' ORDER BY id DESC LIMIT 1");
    expect(verdict).toEqual([{ outcome: 'ok' }]);
    expect(h.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'kb.learned.%'").map((r) => r.action)).toEqual(['kb.learned.approve']);
  }, 180_000);

  test('a draft that changes a price or a phone is refused; Edit takes the manager\'s reply; only this group\'s members can save', async () => {
    const customer = '77011110003';
    const answer = 'A night guard costs 25 000 ₸ and is ready in 5 days. Questions: +7 727 355 00 12.';
    const { cardId } = await answeredRequest(customer, 'Marat', 'How much is a night guard?', answer);
    // The model "improves" the facts: another price and another phone.
    h.llm!.enqueue({ toolCall: { name: 'record_knowledge_entries', arguments: { entries: [{ question: 'How much is a night guard?', answer: 'A night guard costs 20 000 ₸ and is ready in 5 days. Questions: +7 727 355 00 99.' }] } } });
    tg.userPresses(SMILE_CHAT, ALICE, cardId, button(tg.message(SMILE_CHAT, cardId), 'Teach the bot'));
    await until(() => drafts(SMILE_CHAT).length === 2 && buttons(drafts(SMILE_CHAT)[1]).length === 2, 30_000, 'the refused draft');
    const refused = drafts(SMILE_CHAT)[1]!;
    expect(refused.text).toContain('changed facts');
    expect(refused.text).toContain('number 20000');
    expect(refused.text).toContain('phone 77273550099');
    expect(buttons(refused).map((b) => b.text)).toEqual(['Edit', 'Discard']);
    const item = () => items().at(-1)!;
    expect(item()).toMatchObject({ status: 'refused' });

    // Edit: the manager's reply to the draft is the entry, in their own words; it never reaches the customer.
    tg.userPresses(SMILE_CHAT, ALICE, refused.message_id, button(refused, 'Edit'));
    await until(() => tg.message(SMILE_CHAT, refused.message_id)!.text!.includes('reply to this message'), 30_000, 'the edit prompt');
    const sentBefore = toCustomer(customer).length;
    tg.userSends(SMILE_CHAT, ALICE, 'A night guard costs 25 000 ₸ and is ready in 5 days.', { replyTo: refused.message_id });
    await until(() => item().status === 'draft', 30_000, 'the corrected draft');
    expect(item()).toMatchObject({ question: 'How much is a night guard?', answer: 'A night guard costs 25 000 ₸ and is ready in 5 days.' });
    await until(() => buttons(tg.message(SMILE_CHAT, refused.message_id)).length === 3, 30_000, 'Save / Edit / Discard again');

    // A press from the other tenant's group, and from someone who is not in this group, do nothing.
    const elsewhere = tg.userSends(BOLT_CHAT, CAROL, 'hello');
    tg.userPresses(BOLT_CHAT, CAROL, elsewhere.message_id, `k:s:${item().id as number}`);
    const stranger: User = { id: 7666, is_bot: false, first_name: 'Stranger' };
    tg.addMember(SMILE_CHAT, stranger);
    tg.userPresses(SMILE_CHAT, stranger, refused.message_id, button(tg.message(SMILE_CHAT, refused.message_id), 'Save'));
    tg.chat(SMILE_CHAT).members.delete(stranger.id);
    await until(() => answersTo(CAROL).length === 1 && answersTo(stranger).length === 1, 30_000, 'both refusals');
    expect(answersTo(CAROL)).toEqual(['This button is not for this chat.']);
    expect(answersTo(stranger)).toEqual(['Only managers of this chat can press this']);
    expect(item().status).toBe('draft');

    tg.userPresses(SMILE_CHAT, ALICE, refused.message_id, button(tg.message(SMILE_CHAT, refused.message_id), 'Save'));
    await until(() => item().status === 'live', 30_000, 'saved');
    expect(toCustomer(customer)).toHaveLength(sentBefore); // the correction went to the knowledge, not to WhatsApp
    expect(h.query('SELECT chunk_count FROM kb_sources WHERE name = ?', 'learned')).toEqual([{ chunk_count: 2 }]);
  }, 180_000);

  test('under --learning approve only the approver puts an entry live', async () => {
    const update = await botctl(['tenant', 'update', 'bolt', '--learning', 'approve'], h.cell.env);
    expect(update.exitCode).toBe(1);
    expect(update.stderr).toContain('--learning approve needs someone to approve');
    const ok = await botctl(['tenant', 'update', 'bolt', '--learning', 'approve', '--learning-approver', String(DAN.id)], h.cell.env);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`learning: approve, approver ${DAN.id}`);

    const { cardId } = await answeredRequest('77011110004', 'Timur', 'Are you open on public holidays?', 'On public holidays we are open from 10:00 to 15:00.', { tenant: BOLT, chat: BOLT_CHAT, manager: CAROL });
    tg.userPresses(BOLT_CHAT, CAROL, cardId, button(tg.message(BOLT_CHAT, cardId), 'Teach the bot'));
    await until(() => drafts(BOLT_CHAT).length === 1 && buttons(drafts(BOLT_CHAT)[0]).length === 3, 30_000, 'the draft');
    const draft = drafts(BOLT_CHAT)[0]!;
    const item = () => items().at(-1)!;
    tg.userPresses(BOLT_CHAT, CAROL, draft.message_id, button(draft, 'Save'));
    await until(() => item().status === 'pending' && answersTo(CAROL).at(-1) === 'Sent for approval', 30_000, 'waiting for the approver, the press answered');
    await until(() => buttons(tg.message(BOLT_CHAT, draft.message_id)).map((b) => b.text).join() === 'Approve,Reject', 30_000, 'Approve / Reject');

    const pressed = answersTo(CAROL).length;
    tg.userPresses(BOLT_CHAT, CAROL, draft.message_id, button(tg.message(BOLT_CHAT, draft.message_id), 'Approve'));
    await until(() => answersTo(CAROL).length > pressed, 30_000, 'the refusal');
    expect(answersTo(CAROL).at(-1)).toContain('Only the approver');
    expect(item().status).toBe('pending');

    tg.userPresses(BOLT_CHAT, DAN, draft.message_id, button(tg.message(BOLT_CHAT, draft.message_id), 'Approve'));
    await until(() => item().status === 'live', 30_000, 'approved');
    expect(item()).toMatchObject({ submitted_by_name: 'Carol', decided_by_id: DAN.id, decided_by_name: 'Dan' });
    expect(h.query<{ action: string; actor: string }>("SELECT action, actor FROM audit_log WHERE action LIKE 'kb.learned.%' ORDER BY id").slice(-2))
      .toEqual([{ action: 'kb.learned.submit', actor: `telegram:${CAROL.id} Carol` }, { action: 'kb.learned.approve', actor: `telegram:${DAN.id} Dan` }]);
  }, 180_000);

  test('a kill -9 while the model drafts loses nothing and posts the draft once; Discard ends it', async () => {
    const { cardId } = await answeredRequest('77011110005', 'Nurlan', 'Do you whiten teeth for teenagers?', 'Whitening is only for patients over 18.');
    const drafting = () => h.llm!.requests.filter((r) => (r.body.tools ?? []).some((t) => t.type === 'function' && t.function.name === 'record_knowledge_entries')).length;
    const before = { drafts: drafts(SMILE_CHAT).length, calls: drafting() };
    h.llm!.enqueue({ hang: true });
    tg.userPresses(SMILE_CHAT, ALICE, cardId, button(tg.message(SMILE_CHAT, cardId), 'Teach the bot'));
    await until(() => drafting() === before.calls + 1, 30_000, 'the model asked');
    await h.worker.kill();
    await h.restartWorker();
    await until(() => drafts(SMILE_CHAT).length === before.drafts + 1 && buttons(drafts(SMILE_CHAT).at(-1)).length === 3, 30_000, 'the draft after the restart');
    await new Promise((r) => setTimeout(r, 500));
    expect(drafts(SMILE_CHAT)).toHaveLength(before.drafts + 1);
    const draft = drafts(SMILE_CHAT).at(-1)!;
    expect(draft.text).toContain('Whitening is only for patients over 18.');
    tg.userPresses(SMILE_CHAT, ALICE, draft.message_id, button(draft, 'Discard'));
    await until(() => items().at(-1)!.status === 'discarded', 30_000, 'discarded');
    await until(() => tg.message(SMILE_CHAT, draft.message_id)!.text!.includes('Discarded by Alice'), 30_000, 'the draft shows it');
    expect(buttons(tg.message(SMILE_CHAT, draft.message_id))).toEqual([]);
    expect(h.query("SELECT count(*) AS n FROM learned_items WHERE question = 'Do you whiten teeth for teenagers?'")).toEqual([{ n: 1 }]);
  }, 180_000);
});
