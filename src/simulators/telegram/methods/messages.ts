import { badRequest, NOT_MODIFIED } from '../errors.js';
import { readReplyMarkup, sameMarkup } from '../markup.js';
import { now } from '../world.js';
import { botTarget, formatText, MAX_TEXT, sendTarget } from './compose.js';
import type { MethodHandler } from './context.js';

export const sendMessage: MethodHandler = ({ world, sendLog }, params) => {
  const target = sendTarget(world, params);
  sendLog.admit(target.chat.id);
  const raw = params.string('text') ?? '';
  const formatted = formatText(params, raw, 'entities');
  if (formatted.text === '') throw badRequest('message text is empty');
  if (formatted.text.length > MAX_TEXT) throw badRequest('message is too long');
  const replyMarkup = readReplyMarkup(params);
  const parseMode = params.string('parse_mode');
  const message = world.addMessage(target.chat, {
    from: world.bot, sentByBot: true, ...target.thread,
    text: formatted.text, entities: formatted.entities,
    source: { text: raw, ...(parseMode ? { parseMode } : {}) },
    ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    ...(target.replyTo ? { replyToMessageId: target.replyTo.message_id } : {}),
  });
  sendLog.record(target.chat.id, 'sendMessage');
  return world.wire(message);
};

/**
 * Replaces the text. As in Telegram, leaving out `reply_markup` removes the inline keyboard, and an edit
 * that changes neither text, entities nor keyboard is refused with "message is not modified".
 */
export const editMessageText: MethodHandler = ({ world }, params) => {
  const message = botTarget(world, params, 'message to edit not found');
  if (!message.sentByBot) throw badRequest("message can't be edited");
  if (message.text === undefined) throw badRequest('there is no text in the message to edit');
  const raw = params.string('text') ?? '';
  const formatted = formatText(params, raw, 'entities');
  if (formatted.text === '') throw badRequest('message text is empty');
  if (formatted.text.length > MAX_TEXT) throw badRequest('message is too long');
  const replyMarkup = readReplyMarkup(params);
  const sameText = formatted.text === message.text && JSON.stringify(formatted.entities) === JSON.stringify(message.entities ?? []);
  if (sameText && sameMarkup(replyMarkup, message.reply_markup)) throw badRequest(NOT_MODIFIED);
  message.edits.push({ text: message.text, ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}), replacedAt: new Date() });
  message.text = formatted.text;
  message.entities = formatted.entities;
  const parseMode = params.string('parse_mode');
  message.source = { text: raw, ...(parseMode ? { parseMode } : {}) };
  if (replyMarkup) message.reply_markup = replyMarkup;
  else delete message.reply_markup;
  message.editDate = now();
  return world.wire(message);
};

export const editMessageReplyMarkup: MethodHandler = ({ world }, params) => {
  const message = botTarget(world, params, 'message to edit not found');
  if (!message.sentByBot) throw badRequest("message can't be edited");
  const replyMarkup = readReplyMarkup(params);
  if (sameMarkup(replyMarkup, message.reply_markup)) throw badRequest(NOT_MODIFIED);
  message.edits.push({
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.caption !== undefined ? { caption: message.caption } : {}),
    ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
    replacedAt: new Date(),
  });
  if (replyMarkup) message.reply_markup = replyMarkup;
  else delete message.reply_markup;
  message.editDate = now();
  return world.wire(message);
};

/** Own messages can always be deleted; other people's only by an admin. */
export const deleteMessage: MethodHandler = ({ world }, params) => {
  const message = botTarget(world, params, 'message to delete not found');
  const chat = world.chats.get(message.chatId)!;
  if (!message.sentByBot && chat.botStatus !== 'administrator') throw badRequest("message can't be deleted");
  message.deleted = true;
  return true;
};

export const sendChatAction: MethodHandler = ({ world }, params) => {
  world.chatForBot(params.chatId());
  params.requiredString('action');
  return true;
};
