import { Bot, GrammyError, InlineKeyboard } from 'grammy';
import type { Update, User } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { until } from '../../helpers/until.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';

const alice: User = { id: 501, is_bot: false, first_name: 'Alice', username: 'alice_manager' };
const bob: User = { id: 502, is_bot: false, first_name: 'Bob' };

let sim: TelegramSimulator;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  sim = await startTelegramSimulator();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sim.close();
});

function newBot(): Bot {
  return new Bot(sim.token, { client: { apiRoot: sim.url } });
}

/** Starts long polling; stopping is registered as cleanup in case the test fails first. */
async function startPolling(bot: Bot): Promise<() => Promise<void>> {
  const polls = sim.calls.filter((c) => c.method === 'getUpdates').length;
  const running = bot.start();
  const stop = async () => {
    if (bot.isRunning()) await bot.stop();
    await running;
  };
  cleanups.push(stop);
  await until(() => sim.calls.filter((c) => c.method === 'getUpdates').length > polls, 3000, 'the first getUpdates');
  return stop;
}

async function refusal(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${String(error)}`);
  return error;
}

describe('Telegram simulator through grammY', () => {
  test('bot.init() reads getMe', async () => {
    const bot = newBot();
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: sim.bot.id, is_bot: true, username: 'botctl_sim_bot' });
  });

  test('long polling receives a text message and a button press; offsets keep updates from coming twice', async () => {
    const chat = sim.createChat({ type: 'supergroup', title: 'Managers', members: [alice], botIsAdmin: true });
    const seen: string[] = [];
    const bot = newBot();
    bot.on('message:text', (ctx) => { seen.push(`text:${ctx.message.text}`); });
    bot.on('callback_query:data', async (ctx) => {
      seen.push(`press:${ctx.callbackQuery.data}`);
      await ctx.answerCallbackQuery({ text: 'Taken' });
    });
    const stop = await startPolling(bot);
    const card = await bot.api.sendMessage(chat.id, 'New handover', { reply_markup: new InlineKeyboard().text('Take', 'take:7') });
    sim.userSends(chat.id, alice, 'hello from the group');
    sim.userPresses(chat.id, alice, card.message_id, 'take:7');
    await until(() => seen.length === 2 && sim.callbackAnswers.length === 1, 3000, 'both updates handled');
    expect(seen).toEqual(['text:hello from the group', 'press:take:7']);
    expect(sim.callbackAnswers[0]).toMatchObject({ fromId: alice.id, data: 'take:7', text: 'Taken', showAlert: false });
    expect(sim.unansweredCallbacks()).toEqual([]);
    await stop();
    expect(sim.pendingUpdates()).toEqual([]);

    // A second polling run (a restart) gets only what arrived after the first confirmed its updates.
    const again: string[] = [];
    const second = newBot();
    second.on('message:text', (ctx) => { again.push(ctx.message.text); });
    sim.userSends(chat.id, alice, 'after the restart');
    await startPolling(second);
    await until(() => again.length === 1, 3000, 'the new message');
    await new Promise((r) => setTimeout(r, 100));
    expect(again).toEqual(['after the restart']);
  });

  test('privacy mode: in a group where the bot is not admin, only replies to the bot reach it', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Plain', members: [alice] });
    const bot = newBot();
    const card = await bot.api.sendMessage(chat.id, 'Card');
    sim.userSends(chat.id, alice, 'chatter the bot must not see');
    const reply = sim.userSends(chat.id, alice, 'answer to the customer', { replyTo: card.message_id });
    const updates = await bot.api.getUpdates({ timeout: 0 });
    expect(updates.map((u) => u.message?.text)).toEqual(['answer to the customer']);
    expect(updates[0]!.message!.reply_to_message?.message_id).toBe(card.message_id);
    expect(reply.reply_to_message?.text).toBe('Card');
    const answer = await bot.api.sendMessage(chat.id, 'Noted', { reply_parameters: { message_id: reply.message_id } });
    expect(answer.reply_to_message?.text).toBe('answer to the customer');
    const missing = await refusal(bot.api.sendMessage(chat.id, 'to nothing', { reply_parameters: { message_id: 9999 } }));
    expect(missing.description).toBe('Bad Request: message to be replied not found');
  });

  test('a sent inline keyboard is stored and readable as the group sees it', async () => {
    const chat = sim.createChat({ type: 'supergroup', title: 'Desk', members: [alice] });
    const bot = newBot();
    const keyboard = new InlineKeyboard().text('Take', 'take:42').text('Resolve', 'resolve:42');
    const sent = await bot.api.sendMessage(chat.id, '<b>Aigerim</b> asks about delivery &amp; prices', { parse_mode: 'HTML', reply_markup: keyboard });
    expect(sent.text).toBe('Aigerim asks about delivery & prices');
    expect(sent.entities).toEqual([{ type: 'bold', offset: 0, length: 7 }]);
    const [stored] = sim.messagesIn(chat.id);
    expect(stored).toMatchObject({ message_id: sent.message_id, text: 'Aigerim asks about delivery & prices', source: { parseMode: 'HTML' } });
    expect(stored!.reply_markup!.inline_keyboard[0]!.map((b) => ('callback_data' in b ? b.callback_data : null))).toEqual(['take:42', 'resolve:42']);

    const tooLongData = new InlineKeyboard().text('x', 'd'.repeat(65));
    expect((await refusal(bot.api.sendMessage(chat.id, 'x', { reply_markup: tooLongData }))).description).toBe('Bad Request: BUTTON_DATA_INVALID');
    expect((await refusal(bot.api.sendMessage(chat.id, 'я'.repeat(4097)))).description).toBe('Bad Request: message is too long');
  });

  test('HTML that Telegram cannot parse is refused with 400 "can\'t parse entities"', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Desk', members: [alice] });
    const bot = newBot();
    const unclosed = await refusal(bot.api.sendMessage(chat.id, 'Total <b 100', { parse_mode: 'HTML' }));
    expect(unclosed.error_code).toBe(400);
    expect(unclosed.description).toMatch(/^Bad Request: can't parse entities: /);
    const unknownTag = await refusal(bot.api.sendMessage(chat.id, '<script>x</script>', { parse_mode: 'HTML' }));
    expect(unknownTag.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 0');
    const ampersand = await refusal(bot.api.sendMessage(chat.id, 'Tom & Jerry', { parse_mode: 'HTML' }));
    expect(ampersand.description).toMatch(/^Bad Request: can't parse entities: /);
    expect(sim.messagesIn(chat.id)).toEqual([]);
  });

  test('editMessageText: identical text and markup → "message is not modified"; a real edit keeps history', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Desk', members: [alice] });
    const bot = newBot();
    const keyboard = new InlineKeyboard().text('Take', 'take:1');
    const card = await bot.api.sendMessage(chat.id, 'Waiting', { reply_markup: keyboard });
    const same = await refusal(bot.api.editMessageText(chat.id, card.message_id, 'Waiting', { reply_markup: keyboard }));
    expect(same.error_code).toBe(400);
    expect(same.description).toMatch(/^Bad Request: message is not modified/);
    await bot.api.editMessageText(chat.id, card.message_id, 'Taken by Alice');
    const [stored] = sim.messagesIn(chat.id);
    expect(stored!.text).toBe('Taken by Alice');
    expect(stored!.reply_markup).toBeUndefined(); // leaving reply_markup out removes the keyboard, as in Telegram
    expect(stored!.edits).toMatchObject([{ text: 'Waiting', reply_markup: { inline_keyboard: [[{ text: 'Take', callback_data: 'take:1' }]] } }]);
  });

  test('a scripted 429 arrives as a GrammyError with parameters.retry_after, then calls succeed', async () => {
    const chat = sim.createChat({ type: 'group', title: 'Desk', members: [alice] });
    const bot = newBot();
    sim.failNext({ method: 'sendMessage', errorCode: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 });
    const limited = await refusal(bot.api.sendMessage(chat.id, 'hi'));
    expect(limited.error_code).toBe(429);
    expect(limited.parameters.retry_after).toBe(3);
    await bot.api.sendMessage(chat.id, 'hi');
    expect(sim.messagesIn(chat.id).map((m) => m.text)).toEqual(['hi']);
  });

  test('forum topics: created with rights in a forum, refused in a plain group', async () => {
    const forum = sim.createChat({ type: 'supergroup', title: 'Forum', isForum: true, members: [alice], botIsAdmin: true, botCanManageTopics: true });
    const bot = newBot();
    const topic = await bot.api.createForumTopic(forum.id, 'Aigerim +7 701 123 4567');
    const inTopic = await bot.api.sendMessage(forum.id, 'Card', { message_thread_id: topic.message_thread_id });
    expect(inTopic).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    expect(sim.messagesIn(forum.id, topic.message_thread_id).map((m) => m.text)).toEqual(['Card']);
    const answer = sim.userSends(forum.id, alice, 'I will call her', { threadId: topic.message_thread_id });
    expect(answer).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    expect(await bot.api.closeForumTopic(forum.id, topic.message_thread_id)).toBe(true);
    expect(sim.topics(forum.id)[0]).toMatchObject({ name: 'Aigerim +7 701 123 4567', closed: true });

    const plain = sim.createChat({ type: 'group', title: 'Plain', members: [alice], botIsAdmin: true });
    const refused = await refusal(bot.api.createForumTopic(plain.id, 'Nope'));
    expect(refused.description).toBe('Bad Request: not enough rights to create a topic');
  });

  test('after an upgrade to supergroup the old id answers 400 with migrate_to_chat_id', async () => {
    const group = sim.createChat({ type: 'group', title: 'Old group', members: [alice] });
    const bot = newBot();
    const newId = sim.migrateToSupergroup(group.id);
    const refused = await refusal(bot.api.sendMessage(group.id, 'hello?'));
    expect(refused.error_code).toBe(400);
    expect(refused.parameters.migrate_to_chat_id).toBe(newId);
    const sent = await bot.api.sendMessage(newId, 'hello again');
    expect(sent.chat).toMatchObject({ id: newId, type: 'supergroup', title: 'Old group' });
    const service = (await bot.api.getUpdates()).map((u) => u.message);
    expect(service.map((m) => m?.migrate_to_chat_id ?? m?.migrate_from_chat_id)).toEqual([newId, group.id]);
  });

  test('a kicked bot gets my_chat_member "kicked" and 403 on further sends', async () => {
    const group = sim.createChat({ type: 'group', title: 'Gone', members: [alice, bob] });
    const bot = newBot();
    sim.botRemovedFrom(group.id);
    const updates: Update[] = await bot.api.getUpdates();
    expect(updates).toHaveLength(1);
    expect(updates[0]!.my_chat_member).toMatchObject({ chat: { id: group.id }, from: { id: alice.id }, new_chat_member: { status: 'kicked', user: { id: sim.bot.id } } });
    const refused = await refusal(bot.api.sendMessage(group.id, 'anyone?'));
    expect(refused.error_code).toBe(403);
    expect(refused.description).toBe('Forbidden: bot was kicked from the group chat');
  });
});

describe('membership changes and time-bound faults', () => {
  test('a member who leaves is a chat_member update for a bot that asked for it, and getChatMember then says "left"', async () => {
    const chat = sim.createChat({ type: 'supergroup', title: 'Managers', members: [alice, bob], botIsAdmin: true });
    const bot = newBot();
    const seen: Update[] = [];
    bot.on('chat_member', (ctx) => void seen.push(ctx.update));
    const stop = await startPollingWith(bot, ['message', 'chat_member']);
    sim.removeMember(chat.id, bob, alice);
    await until(() => seen.length === 1, 3000, 'the chat_member update');
    expect(seen[0]!.chat_member).toMatchObject({ chat: { id: chat.id }, from: { id: alice.id }, old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked', user: { id: bob.id } } });
    expect((await bot.api.getChatMember(chat.id, bob.id)).status).toBe('left');
    await stop();
  });

  test('without chat_member in allowed_updates, Telegram sends none', async () => {
    const chat = sim.createChat({ type: 'supergroup', title: 'Managers', members: [alice, bob] });
    const bot = newBot();
    const stop = await startPollingWith(bot, ['message']);
    sim.removeMember(chat.id, bob);
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.pendingUpdates().filter((u) => u.chat_member)).toEqual([]);
    await stop();
  });

  test('a public group open to non-members lets them write; a closed one refuses the test', () => {
    const open = sim.createChat({ type: 'supergroup', title: 'Open', members: [alice], openToNonMembers: true });
    expect(sim.userSends(open.id, bob, 'hello').from?.id).toBe(bob.id);
    const closed = sim.createChat({ type: 'supergroup', title: 'Closed', members: [alice] });
    expect(() => sim.userSends(closed.id, bob, 'hello')).toThrow('is not a member');
  });

  test('failNext with forMs fails every matching call for that long, then none', async () => {
    const chat = sim.createChat({ type: 'group', title: 'G', members: [alice] });
    const bot = newBot();
    sim.failNext({ method: 'sendMessage', forMs: 400, errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    for (let i = 0; i < 3; i++) expect((await refusal(bot.api.sendMessage(chat.id, `try ${i}`))).error_code).toBe(429);
    await new Promise((r) => setTimeout(r, 450));
    expect((await bot.api.sendMessage(chat.id, 'after')).text).toBe('after');
  });
});

async function startPollingWith(bot: Bot, allowed: string[]): Promise<() => Promise<void>> {
  const polls = sim.calls.filter((c) => c.method === 'getUpdates').length;
  const running = bot.start({ allowed_updates: allowed as never });
  const stop = async () => {
    if (bot.isRunning()) await bot.stop();
    await running;
  };
  cleanups.push(stop);
  await until(() => sim.calls.filter((c) => c.method === 'getUpdates').length > polls, 3000, 'the first getUpdates');
  return stop;
}
