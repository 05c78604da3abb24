import type { MessageEntity } from 'grammy/types';
import { badRequest } from '../errors.js';
import { parseHtml, trim, type FormattedText } from '../html.js';
import type { Params } from '../params.js';
import type { SimChat, StoredMessage, World } from '../world.js';

// Bot API limits on text after entity parsing.
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

/** Renders text or a caption per `parse_mode` (HTML only; the application uses nothing else). */
export function formatText(params: Params, raw: string, entitiesParam: string): FormattedText {
  const mode = params.string('parse_mode');
  if (mode === undefined || mode === '') {
    const entities = params.json<MessageEntity[]>(entitiesParam, "can't parse entities JSON object") ?? [];
    return trim({ text: raw, entities });
  }
  if (mode.toLowerCase() === 'html') return parseHtml(raw);
  throw badRequest(`unsupported parse_mode "${mode}" (the botctl Telegram simulator parses only HTML)`);
}

export interface SendTarget {
  chat: SimChat;
  replyTo?: StoredMessage;
  thread: { threadId?: number; isTopicMessage: boolean };
}

/**
 * Resolves where a new message goes: the chat (refused when unknown, migrated or the bot was kicked),
 * the message it replies to (`reply_parameters`, or the older `reply_to_message_id`), and the thread.
 * A closed topic takes messages only from admins who can manage topics.
 */
export function sendTarget(world: World, params: Params): SendTarget {
  const chat = world.chatForBot(params.chatId());
  const reply = params.json<{ message_id?: number; chat_id?: number | string; allow_sending_without_reply?: boolean }>(
    'reply_parameters', "can't parse reply parameters JSON object",
  );
  const replyId = reply?.message_id ?? params.int('reply_to_message_id');
  const allowWithout = reply?.allow_sending_without_reply ?? params.bool('allow_sending_without_reply');
  let replyTo: StoredMessage | undefined;
  if (replyId !== undefined) {
    const replyChat = reply?.chat_id !== undefined ? Number(reply.chat_id) : chat.id;
    const found = world.message(replyChat, replyId);
    if (found && !found.deleted) replyTo = found;
    else if (!allowWithout) throw badRequest('message to be replied not found');
  }
  const thread = world.threadFor(chat, params.int('message_thread_id'), replyTo);
  const topic = thread.isTopicMessage && thread.threadId !== undefined ? chat.topics.get(thread.threadId) : undefined;
  if (topic?.closed && !(chat.botStatus === 'administrator' && chat.botCanManageTopics)) throw badRequest('TOPIC_CLOSED');
  return { chat, thread, ...(replyTo ? { replyTo } : {}) };
}

/** The message the bot names by chat_id + message_id (inline messages are not simulated). */
export function botTarget(world: World, params: Params, notFound: string): StoredMessage {
  if (params.has('inline_message_id')) throw badRequest('inline_message_id is not supported by the botctl Telegram simulator');
  const chat = world.chatForBot(params.chatId());
  const message = world.message(chat.id, params.requiredInt('message_id', 'message identifier is not specified'));
  if (!message || message.deleted) throw badRequest(notFound);
  return message;
}
