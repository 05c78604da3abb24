import type { MessageEntity, User } from 'grammy/types';
import type { StoredMessage, TelegramSimulator } from '../simulators/telegram/index.js';
import type { ChatMessageView, ChatView, CustomerChat, WrittenMessage } from './customer-chat.js';

export interface TelegramPhoneOptions {
  /** The Bot API of the tenant's customer bot (not the desk bot's). */
  bot: () => TelegramSimulator;
  business: { name: string; botUsername: string };
  customer: User;
}

/**
 * The customer's Telegram app in the demo, writing to the business's own customer bot: each message is a message in
 * the private chat with the bot at the Bot API simulator, which the worker receives as an update the way it does
 * for that bot in this cell (long polling: the demo sets no BOTCTL_PUBLIC_URL), and confirms once it is committed.
 * The chat shows the private chat as Telegram holds it: what the customer wrote and what the bot sent there.
 */
export class TelegramPhone implements CustomerChat {
  readonly channel = 'telegram' as const;
  readonly maxText = 4096;

  constructor(private readonly options: TelegramPhoneOptions) {}

  async write(text: string): Promise<WrittenMessage> {
    const sent = this.options.bot().userWritesPrivately(this.options.customer, { text, ...commandEntity(text) });
    return { id: messageId(sent.message_id), httpStatus: null, error: null };
  }

  /** Bots get no read receipts. */
  async readAll(): Promise<number> {
    return 0;
  }

  view(): ChatView {
    const { business, customer } = this.options;
    const bot = this.options.bot();
    // An update the bot has not confirmed (by its next getUpdates offset) is still waiting at Telegram.
    const waiting = new Set(bot.pendingUpdates().flatMap((u) => (u.message?.chat.id === customer.id ? [u.message.message_id] : [])));
    const messages = bot.historyIn(customer.id).map((m): ChatMessageView => ({
      id: messageId(m.message_id),
      from: m.sentByBot ? 'business' : 'customer',
      text: messageText(m),
      at: m.date * 1000,
      status: m.sentByBot ? 'sent' : waiting.has(m.message_id) ? 'pending' : 'delivered',
      error: null,
    }));
    return {
      channel: this.channel,
      business: { name: business.name, address: `@${business.botUsername}` },
      customer: { name: customer.first_name, address: customer.username ? `@${customer.username}` : String(customer.id) },
      messages,
    };
  }

  async stop(): Promise<void> {}
}

const messageId = (id: number) => `tg:${id}`;

/** `/start` and other commands carry a bot_command entity, as Telegram's apps send them. */
function commandEntity(text: string): { entities?: MessageEntity[] } {
  const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?/.exec(text);
  return command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {};
}

function messageText(m: StoredMessage): string {
  if (m.text !== undefined) return m.text;
  if (m.caption !== undefined) return m.caption;
  return m.photo ? '[photo]' : m.document ? '[document]' : '[message]';
}
