import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../fakes/telegram.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const ONCALL = -1009000000001;
const OWNER = 7007;
const MANAGER: User = { id: 5101, is_bot: false, first_name: 'Dana' };
const CHATS = { remind: -1001100000001, migrate: -1100000002, removed: -1001100000003, forum: -1001100000004, window: -1001100000005 };
const tenant = (slug: string, phone: string, chatId: number, extra: string[] = []) => ({ slug, name: `Biz ${slug}`, phoneNumberId: phone, token: `EAAG${slug}token0123456789abcdefghijklmn`, chatId, locale: 'en', extraFlags: extra });

let tg: TelegramSimulator;
let h: PipelineCell;
let n = 77060000000;

async function escalate(phoneNumberId: string, body = 'I need a person'): Promise<string> {
  const from = String(++n);
  h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'asked for a person' } } });
  await h.deliver(inboundNotification({ phoneNumberId, messages: [textMessage({ from, body })] }));
  return from;
}
const cards = (chatId: number, threadId?: number) => tg.messagesIn(chatId, threadId).filter((m) => m.text?.startsWith('Request #'));
const handoverOf = (from: string) => h.query<Record<string, unknown>>('SELECT h.* FROM handovers h JOIN contacts c ON c.id = h.contact_id WHERE c.provider_id = ?', from)[0]!;

beforeAll(async () => {
  tg = await startTelegramSimulator();
  tg.createChat({ id: CHATS.remind, type: 'supergroup', title: 'Remind', members: [MANAGER] });
  tg.createChat({ id: CHATS.migrate, type: 'group', title: 'Old group', members: [MANAGER] });
  tg.createChat({ id: CHATS.removed, type: 'supergroup', title: 'Removed', members: [MANAGER] });
  tg.createChat({ id: CHATS.forum, type: 'supergroup', title: 'Forum', isForum: true, botIsAdmin: true, botCanManageTopics: true, members: [MANAGER] });
  tg.createChat({ id: CHATS.window, type: 'supergroup', title: 'Window', members: [MANAGER] });
  tg.createChat({ id: ONCALL, type: 'group', title: 'On-call', members: [MANAGER] });
  tg.createChat({ id: -1009000000777, type: 'group', title: 'owner stand-in', members: [MANAGER] });
  h = await PipelineCell.start({
    telegram: tg, oncallChatId: ONCALL,
    tenants: [
      tenant('remind', '7100001', CHATS.remind, ['--remind-after', '2s', '--remind-every', '2s', '--remind-max', '2', '--owner-chat-id', '-1009000000777', '--reply-timeout', '2s']),
      tenant('migrate', '7100002', CHATS.migrate),
      tenant('removed', '7100003', CHATS.removed),
      tenant('forum', '7100004', CHATS.forum),
      tenant('window', '7100005', CHATS.window),
    ],
  });
}, 60_000);
afterAll(async () => h?.close());

describe('desk reminders', () => {
  test('an untaken request is reminded at the configured times, exactly once each, then escalated to the owner and on-call', async () => {
    const from = await escalate('7100001');
    await until(() => cards(CHATS.remind).length === 1, 10_000, 'the card');
    const created = Number(handoverOf(from).created_at);
    await until(() => tg.messagesIn(-1009000000777).length === 1, 15_000, 'the escalation to the owner');
    await new Promise((r) => setTimeout(r, 3000));
    const reminders = tg.messagesIn(CHATS.remind).filter((m) => m.text?.startsWith('⏰'));
    expect(reminders.map((m) => m.text)).toEqual([
      expect.stringMatching(/^⏰ Request #1 has been waiting \d+ min\. Press Take\.$/),
      expect.stringMatching(/^⏰ Request #1 has been waiting \d+ min\. Press Take\.$/),
    ]);
    const times = tg.sendTimestamps(CHATS.remind).slice(1); // after the card
    expect(times[0]! - created).toBeGreaterThanOrEqual(2000);
    expect(times[1]! - created).toBeGreaterThanOrEqual(4000);
    expect(tg.messagesIn(-1009000000777).map((m) => m.text)).toEqual([expect.stringContaining('nobody took request #1')]);
    expect(tg.messagesIn(ONCALL).filter((m) => m.text?.includes('nobody took request #1'))).toHaveLength(1);
    expect(handoverOf(from)).toMatchObject({ reminders_sent: 3 });
    expect(handoverOf(from).escalated_at).toBeTypeOf('number');
  }, 40_000);

  test('a taken request with no manager reply reminds the assignee by mention, once', async () => {
    const from = await escalate('7100001', 'Please call me');
    await until(() => cards(CHATS.remind).length === 2, 10_000, 'the card');
    const card = cards(CHATS.remind)[1]!;
    tg.userPresses(CHATS.remind, MANAGER, card.message_id, `h:${handoverOf(from).id}:t`);
    await until(() => handoverOf(from).status === 'taken', 10_000, 'taken');
    await until(() => tg.messagesIn(CHATS.remind).some((m) => m.text?.includes('Dana, the customer of request #2')), 10_000, 'the mention');
    await new Promise((r) => setTimeout(r, 3000));
    const mentions = tg.messagesIn(CHATS.remind).filter((m) => m.text?.includes('the customer of request #2'));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]!.entities?.some((e) => e.type === 'text_mention' || e.type === 'text_link')).toBe(true);
  }, 30_000);
});

describe('what breaks in real groups', () => {
  test('a group upgraded to a supergroup: the new id is stored and the card is sent there', async () => {
    const newId = tg.migrateToSupergroup(CHATS.migrate);
    await escalate('7100002');
    await until(() => cards(newId).length === 1, 15_000, 'the card in the supergroup');
    expect(h.query("SELECT telegram_chat_id FROM tenants WHERE slug = 'migrate'")).toEqual([{ telegram_chat_id: newId }]);
  }, 30_000);

  test('the bot removed from a group: the tenant is flagged, on-call is alerted once, the request keeps waiting', async () => {
    tg.botRemovedFrom(CHATS.removed);
    await until(() => h.query<{ telegram_status: string }>("SELECT telegram_status FROM tenants WHERE slug = 'removed'")[0]?.telegram_status === 'removed', 10_000, 'the flag');
    await until(() => tg.messagesIn(ONCALL).some((m) => m.text?.includes('removed')), 10_000, 'the on-call alert');
    const from = await escalate('7100003');
    await until(() => h.query("SELECT 1 FROM jobs WHERE kind = 'post_handover_card' AND attempts >= 1 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'removed')").length === 1, 10_000, 'a card attempt');
    await new Promise((r) => setTimeout(r, 500));
    expect(handoverOf(from).status).toBe('waiting');
    expect(h.query("SELECT state FROM jobs WHERE kind = 'post_handover_card' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'removed')")).toEqual([{ state: 'pending' }]);
    expect(tg.messagesIn(ONCALL).filter((m) => m.text?.includes('Biz removed'))).toHaveLength(1);
  }, 30_000);

  test('in a forum each handover gets its own topic, and a message in the topic reaches the customer', async () => {
    const from = await escalate('7100004');
    await until(() => tg.topics(CHATS.forum).length === 1, 10_000, 'the topic');
    const topic = tg.topics(CHATS.forum)[0]!;
    await until(() => cards(CHATS.forum, topic.threadId).length === 1, 10_000, 'the card in the topic');
    tg.userSends(CHATS.forum, MANAGER, 'Hello from the topic', { threadId: topic.threadId });
    await until(() => h.graph.messagesTo(from).some((s) => (s.body.text as { body: string }).body === 'Hello from the topic'), 10_000, 'the reply on WhatsApp');
  }, 30_000);

  test('a manager reply after the 24-hour window is reported to the manager in plain words and not retried', async () => {
    const from = await escalate('7100005');
    await until(() => cards(CHATS.window).length === 1, 10_000, 'the card');
    h.graph.closeWindow(from);
    const reply = tg.userSends(CHATS.window, MANAGER, 'Sorry for the wait!', { replyTo: cards(CHATS.window)[0]!.message_id });
    await until(() => tg.messagesIn(CHATS.window).some((m) => m.replyToMessageId === reply.message_id && m.text?.startsWith('⚠️ not delivered')), 10_000, 'the failure line');
    const line = tg.messagesIn(CHATS.window).find((m) => m.replyToMessageId === reply.message_id)!;
    expect(line.text).toContain('more than 24 hours have passed since the customer last wrote');
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.graph.requests.filter((r) => r.kind === 'send' && JSON.stringify(r.body).includes('Sorry for the wait!'))).toHaveLength(1);
  }, 30_000);
});

describe('files from managers', () => {
  test('a photo and a document posted in the thread reach the customer as WhatsApp media with their captions', async () => {
    const topicsBefore = tg.topics(CHATS.forum).length;
    const from = await escalate('7100004', 'Send me the price list');
    await until(() => tg.topics(CHATS.forum).length > topicsBefore, 10_000, 'the topic');
    const topic = tg.topics(CHATS.forum).at(-1)!;
    await until(() => cards(CHATS.forum, topic.threadId).length === 1, 10_000, 'the card in the topic');
    const photo = Buffer.from('\xff\xd8\xff fake jpeg bytes');
    const pdf = Buffer.from('%PDF-1.4 fake price list');
    tg.userSendsPhoto(CHATS.forum, MANAGER, photo, 'Our clinic', { threadId: topic.threadId });
    tg.userSendsDocument(CHATS.forum, MANAGER, pdf, 'prices.pdf', { caption: 'Price list', mimeType: 'application/pdf', threadId: topic.threadId });
    await until(() => h.graph.messagesTo(from).filter((s) => s.body.type !== 'text').length === 2, 15_000, 'both files on WhatsApp');
    const [image, document] = h.graph.messagesTo(from).filter((s) => s.body.type !== 'text');
    expect(image!.body).toMatchObject({ type: 'image', image: { caption: 'Our clinic' } });
    expect(document!.body).toMatchObject({ type: 'document', document: { caption: 'Price list', filename: 'prices.pdf' } });
    const uploaded = h.graph.uploads.slice(-2);
    expect(uploaded.map((u) => u.mediaId)).toEqual([(image!.body.image as { id: string }).id, (document!.body.document as { id: string }).id]);
    expect(uploaded[0]!.bytes.equals(photo)).toBe(true);
    expect(uploaded[1]).toMatchObject({ mimeType: 'application/pdf', filename: 'prices.pdf' });
    expect(uploaded[1]!.bytes.equals(pdf)).toBe(true);
  }, 30_000);
});

describe('the desk from the command line', () => {
  test('handover list, show and resolve: the operator resolves, the card shows it, the bot answers again', async () => {
    const from = await escalate('7100005', 'Operator test');
    await until(() => handoverOf(from)?.telegram_message_id, 10_000, 'the card');
    const number = Number(handoverOf(from).number);
    const list = await botctl(['handover', 'list', 'window', '--json'], h.cell.env);
    expect(list.exitCode).toBe(0);
    expect((JSON.parse(list.stdout) as { number: number; status: string }[]).find((x) => x.number === number)).toMatchObject({ status: 'waiting' });
    const resolved = await botctl(['handover', 'resolve', 'window', String(number)], h.cell.env);
    expect(resolved.stdout).toContain(`Request №${number} of window is now resolved`);
    const show = await botctl(['handover', 'show', 'window', String(number), '--json'], h.cell.env);
    const shown = JSON.parse(show.stdout) as { handover: { status: string }; events: { event: string; actorKind: string }[] };
    expect(shown.handover.status).toBe('resolved');
    expect(shown.events.map((e) => `${e.event}:${e.actorKind}`)).toEqual(['created:bot', 'resolved:operator']);
    const cardId = Number(handoverOf(from).telegram_message_id);
    await until(() => tg.message(CHATS.window, cardId)?.text?.includes('Resolved by operator'), 10_000, 'the card to show it');
    expect((await botctl(['handover', 'resolve', 'window', String(number)], h.cell.env)).stderr).toContain('cannot be resolved: it is already resolved');
    expect(h.query("SELECT action FROM audit_log WHERE action = 'handover.resolve'")).toHaveLength(1);
  }, 30_000);
});
