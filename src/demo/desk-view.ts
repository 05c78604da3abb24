import type { MessageEntity, User } from 'grammy/types';
import type { StoredMessage, TelegramSimulator } from '../simulators/telegram/index.js';
import type { DeskMessageRole } from '../storage/desk-board-store.js';
import { displayName } from './demo-tenant.js';

/** One message of the managers' group as the console draws it. */
export interface GroupMessageView {
  id: number;
  fromBot: boolean;
  fromId: number;
  from: string;
  at: number;
  /** Text as the group sees it; `entities` carry the formatting the bot's HTML produced (UTF-16 offsets). */
  text: string;
  entities: MessageEntity[];
  buttons: { text: string; data: string }[][];
  replyTo: { id: number; from: string; text: string } | null;
  edited: boolean;
  /** A service message (someone joined…), drawn centred and small. */
  service: string | null;
  /** What the desk recorded this message as (a card, a relay, a reminder…), once it did. */
  role: DeskMessageRole | null;
}

export interface DeskView {
  chat: { id: number; title: string; members: { id: number; name: string }[] };
  managers: { id: number; name: string; username: string | null }[];
  messages: GroupMessageView[];
  /** The bot's answers to button presses (Telegram shows them as a toast to the presser). */
  answers: { queryId: string; fromId: number; text: string | null; alert: boolean }[];
}

/**
 * The managers' Telegram group as the Telegram simulator holds it, and what a manager can do there: press an
 * inline button, or write (a reply to a card reaches the customer). Both go through the simulator's user actions,
 * so the bot receives real updates by long polling, exactly as from Telegram.
 */
export class DeskConsole {
  constructor(
    private readonly telegram: TelegramSimulator,
    private readonly chatId: number,
    private readonly managers: readonly User[],
    /** The desk's record of the group's messages (DeskBoardStore.roles). */
    private readonly roles: (chatId: number) => Map<number, DeskMessageRole>,
  ) {}

  view(): DeskView {
    const chat = this.telegram.chat(this.chatId);
    const roles = this.roles(this.chatId);
    return {
      chat: { id: chat.id, title: chat.title, members: [...chat.members.values()].map((u) => ({ id: u.id, name: displayName(u) })) },
      managers: this.managers.map((m) => ({ id: m.id, name: displayName(m), username: m.username ?? null })),
      messages: this.telegram.historyIn(this.chatId).map((m) => this.messageView(m, roles.get(m.message_id) ?? null)),
      answers: this.telegram.callbackAnswers.map((a) => ({ queryId: a.callbackQueryId, fromId: a.fromId, text: a.text ?? null, alert: a.showAlert })),
    };
  }

  /** A manager presses a button the bot put under a message; returns the callback query id. */
  press(managerId: number, messageId: number, data: string): string {
    const manager = this.manager(managerId);
    const message = this.telegram.message(this.chatId, messageId);
    const offered = message?.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === data);
    // A real client can only press what is on screen; an outdated page asking for a removed button gets a 409.
    if (!message || message.deleted || !offered) throw new DeskConsoleError(409, 'that button is no longer on the message; the page shows the current one');
    return this.telegram.userPresses(this.chatId, manager, messageId, data);
  }

  /** A manager writes in the group; with `replyTo` it is a reply to that message (to a card: it goes to the customer). */
  send(managerId: number, text: string, replyTo?: number): number {
    const manager = this.manager(managerId);
    if (replyTo !== undefined) {
      const target = this.telegram.message(this.chatId, replyTo);
      if (!target || target.deleted) throw new DeskConsoleError(409, 'the message to reply to is gone');
    }
    return this.telegram.userSends(this.chatId, manager, text, replyTo !== undefined ? { replyTo } : {}).message_id;
  }

  private manager(id: number): User {
    const manager = this.managers.find((m) => m.id === id);
    if (!manager) throw new DeskConsoleError(400, `no demo manager with id ${id}`);
    return manager;
  }

  private messageView(m: StoredMessage, role: DeskMessageRole | null): GroupMessageView {
    const target = m.replyToMessageId !== undefined ? this.telegram.message(this.chatId, m.replyToMessageId) : undefined;
    return {
      id: m.message_id,
      fromBot: m.sentByBot,
      fromId: m.from.id,
      from: m.sentByBot ? m.from.first_name : displayName(m.from),
      at: m.date * 1000,
      text: m.text ?? m.caption ?? '',
      entities: m.entities ?? m.caption_entities ?? [],
      buttons: (m.reply_markup?.inline_keyboard ?? []).map((row) => row.flatMap((b) => ('callback_data' in b ? [{ text: b.text, data: b.callback_data }] : []))),
      replyTo: target ? { id: target.message_id, from: target.sentByBot ? target.from.first_name : displayName(target.from), text: firstLine(target.text ?? target.caption ?? '') } : null,
      edited: m.edits.length > 0,
      service: m.service ? describeService(m) : null,
      role,
    };
  }
}

export class DeskConsoleError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function describeService(m: StoredMessage): string {
  const s = m.service!;
  if (s.new_chat_members) return `${s.new_chat_members.map((u) => displayName(u)).join(', ')} joined the group`;
  if (s.forum_topic_created) return `topic “${s.forum_topic_created.name}” created`;
  if (s.migrate_to_chat_id !== undefined || s.migrate_from_chat_id !== undefined) return 'the group became a supergroup';
  return 'service message';
}
