import { answerCallbackQuery, deleteMyCommands, deleteWebhook, getMe, getMyCommands, getUpdates, getWebhookInfo, setMyCommands, setWebhook } from './bot.js';
import {
  closeForumTopic, createForumTopic, getChat, getChatAdministrators, getChatMember, getChatMemberCount, reopenForumTopic,
} from './chats.js';
import type { MethodHandler } from './context.js';
import { getFile, sendDocument, sendPhoto } from './media.js';
import { deleteMessage, editMessageReplyMarkup, editMessageText, sendChatAction, sendMessage } from './messages.js';

export { Described, type MethodContext, type MethodHandler } from './context.js';

const HANDLERS: Record<string, MethodHandler> = {
  getMe, getUpdates, setWebhook, deleteWebhook, getWebhookInfo, answerCallbackQuery, setMyCommands, getMyCommands, deleteMyCommands,
  getChat, getChatMember, getChatAdministrators, getChatMemberCount, createForumTopic, closeForumTopic, reopenForumTopic,
  sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, sendChatAction, sendPhoto, sendDocument, getFile,
};

// Telegram matches method names without regard to case.
const BY_LOWER_NAME = new Map(Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));

/** The implementation of a Bot API method and its canonical name, or undefined for an unknown method. */
export function findMethod(name: string): { name: string; handler: MethodHandler } | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
