import { createHash, randomInt } from 'node:crypto';
import type { CallbackQuery, ChatMember, Message, MessageEntity, Update, User } from 'grammy/types';
import type { CallbackBook } from './callbacks.js';
import type { UpdateQueue } from './updates.js';
import { mimeFor, now, type SimChat, type StoredMessage, type World } from './world.js';

export interface UserSendOptions {
  /** message_id this message replies to (in the same chat). */
  replyTo?: number;
  /** Forum topic (message_thread_id) to post in. */
  threadId?: number;
}

export interface UserDocumentOptions extends UserSendOptions {
  caption?: string;
  mimeType?: string;
}

type GroupMessage = NonNullable<Update['message']>;

// Who removed the bot when the chat has no members to name.
const SOMEONE: User = { id: 100_000_001, is_bot: false, first_name: 'Group admin' };

/**
 * What people in the chats do, turned into the updates Telegram would hand the bot. Privacy mode (on by
 * default for bots) decides which group messages the bot sees: with it on and the bot not an admin, only
 * commands, replies to the bot's messages (a message in a topic the bot created counts: Telegram makes it
 * a reply to the topic's first message) and service messages reach the bot. Mistakes in a test's setup
 * (unknown chat, a user who is not a member) throw plain Errors.
 */
export class Humans {
  constructor(
    private readonly world: World,
    private readonly updates: UpdateQueue,
    private readonly callbacks: CallbackBook,
    private readonly privacyMode: boolean,
  ) {}

  sends(chatId: number, user: User, text: string, options: UserSendOptions = {}): Message {
    const entities: MessageEntity[] = [];
    const command = /^\/\S+/.exec(text);
    if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
    return this.post(chatId, user, { text, ...(entities.length > 0 ? { entities } : {}) }, options, command !== null);
  }

  sendsPhoto(chatId: number, user: User, bytes: Buffer, caption?: string, options: UserSendOptions = {}): Message {
    const file = this.world.storeFile(bytes, 'photo', 'image/jpeg');
    return this.post(chatId, user, { photo: this.world.photoSizes(file), ...(caption !== undefined ? { caption } : {}) }, options, false);
  }

  sendsDocument(chatId: number, user: User, bytes: Buffer, fileName: string, options: UserDocumentOptions = {}): Message {
    const file = this.world.storeFile(bytes, 'document', options.mimeType ?? mimeFor(fileName), fileName);
    const caption = options.caption !== undefined ? { caption: options.caption } : {};
    return this.post(chatId, user, { document: this.world.documentOf(file), ...caption }, options, false);
  }

  /** A press on an inline button; returns the callback query id. Any data can be sent, as a modified client could. */
  presses(chatId: number, user: User, messageId: number, callbackData: string): string {
    const chat = this.member(chatId, user);
    const message = this.world.message(chat.id, messageId);
    if (!message) throw new Error(`no message ${messageId} in chat ${chatId}`);
    const query: CallbackQuery = {
      id: String(randomInt(1, 2 ** 47)) + String(randomInt(10_000, 99_999)),
      from: user,
      // A deleted message is "inaccessible": Telegram sends only its chat and id, with date 0.
      message: message.deleted ? { chat: this.world.chatObject(chat), message_id: messageId, date: 0 } : this.world.wire(message),
      chat_instance: createHash('sha256').update(String(chat.id)).digest('hex').slice(0, 16),
      data: callbackData,
    };
    this.callbacks.add(query);
    if (chat.botStatus !== 'kicked') this.updates.push({ callback_query: query });
    return query.id;
  }

  addMember(chatId: number, user: User): Message {
    const chat = this.world.chatForTest(chatId);
    this.world.addMemberQuietly(chat, user);
    return this.service(chat, user, { new_chat_members: [user] });
  }

  /**
   * `user` leaves (or, with `by`, is removed from) the group: a chat_member update, which Telegram sends only to a
   * bot that asked for it in allowed_updates (the queue drops it otherwise), and getChatMember says "left"/"kicked".
   */
  removeMember(chatId: number, user: User, by?: User): void {
    const chat = this.member(chatId, user);
    chat.members.delete(user.id);
    this.updates.push({
      chat_member: {
        chat: this.world.chatObject(chat), from: by ?? user, date: now(),
        old_chat_member: { status: 'member', user }, new_chat_member: by ? { status: 'kicked', user, until_date: 0 } : { status: 'left', user },
      },
    });
  }

  /** The bot is banned from the group: a my_chat_member update, and later sends answer 403. */
  botRemovedFrom(chatId: number): void {
    const chat = this.world.chatForTest(chatId);
    const before = chat.botStatus;
    chat.botStatus = 'kicked';
    const by = chat.members.values().next().value ?? SOMEONE;
    const oldMember = { status: before, user: this.world.bot } as ChatMember;
    this.updates.push({
      my_chat_member: {
        chat: this.world.chatObject(chat), from: by, date: now(),
        old_chat_member: oldMember, new_chat_member: { status: 'kicked', user: this.world.bot, until_date: 0 },
      },
    });
  }

  /** The group becomes a supergroup with a new id; the old id then answers 400 with migrate_to_chat_id. */
  migrateToSupergroup(chatId: number): number {
    const chat = this.world.chatForTest(chatId);
    if (chat.type !== 'group' || chat.migratedTo !== undefined) throw new Error(`chat ${chatId} is not a group that can be upgraded`);
    const successor = this.world.createChat({
      type: 'supergroup', title: chat.title, members: [...chat.members.values()],
      botIsAdmin: chat.botStatus === 'administrator', botCanManageTopics: chat.botCanManageTopics,
    });
    successor.botStatus = chat.botStatus;
    const by = chat.members.values().next().value ?? SOMEONE;
    this.service(chat, by, { migrate_to_chat_id: successor.id });
    chat.migratedTo = successor.id;
    this.service(successor, by, { migrate_from_chat_id: chat.id });
    return successor.id;
  }

  private member(chatId: number, user: User): SimChat {
    const chat = this.world.chatForTest(chatId);
    if (chat.migratedTo !== undefined) throw new Error(`chat ${chatId} became supergroup ${chat.migratedTo}; use that id`);
    if (!chat.members.has(user.id) && !chat.openToNonMembers) throw new Error(`user ${user.id} is not a member of chat ${chatId}; pass it in createChat members or addMember`);
    this.world.rememberUser(user);
    return chat;
  }

  /**
   * A person writes to the bot in their private chat (opened on first use; its id is theirs). `content` holds the
   * message's own fields as Telegram sends them (text and entities, photo, voice, document, location, contact, …).
   * The bot sees everything in a private chat.
   */
  writesPrivately(user: User, content: Partial<Message>): Message {
    const chat = this.world.chats.get(user.id) ?? this.world.createChat({ id: user.id, type: 'private', title: user.first_name, members: [user] });
    this.world.rememberUser(user);
    const { text, ...rest } = content;
    const stored = this.world.addMessage(chat, { from: user, sentByBot: false, ...(text !== undefined ? { text } : {}), service: rest });
    const wire = this.world.wire(stored);
    this.updates.push({ message: wire as GroupMessage });
    return wire;
  }

  private post(chatId: number, user: User, content: Partial<StoredMessage>, options: UserSendOptions, isCommand: boolean): Message {
    const chat = this.member(chatId, user);
    let replyTo: StoredMessage | undefined;
    if (options.replyTo !== undefined) {
      replyTo = this.world.message(chat.id, options.replyTo);
      if (!replyTo || replyTo.deleted) throw new Error(`no message ${options.replyTo} in chat ${chatId} to reply to`);
    }
    const thread = this.world.threadFor(chat, options.threadId, replyTo);
    if (thread.isTopicMessage && chat.topics.get(thread.threadId!)?.closed) throw new Error(`topic ${thread.threadId} is closed`);
    // In a topic, a message that replies to nothing is sent as a reply to the topic's creation message.
    const replyToMessageId = replyTo?.message_id ?? (thread.isTopicMessage ? thread.threadId : undefined);
    const stored = this.world.addMessage(chat, {
      from: user, sentByBot: false, ...thread, ...content, ...(replyToMessageId !== undefined ? { replyToMessageId } : {}),
    });
    const target = replyToMessageId !== undefined ? this.world.message(chat.id, replyToMessageId) : undefined;
    const wire = this.world.wire(stored);
    if (this.botSees(chat, isCommand || target?.sentByBot === true)) this.updates.push({ message: wire as GroupMessage });
    return wire;
  }

  private service(chat: SimChat, from: User, fields: Partial<Message>): Message {
    const wire = this.world.wire(this.world.addMessage(chat, { from, sentByBot: false, service: fields }));
    if (this.botSees(chat, true)) this.updates.push({ message: wire as GroupMessage });
    return wire;
  }

  /** A person opens a private chat with the bot and presses Start: the bot gets `/start`. */
  startsPrivateChat(user: User): Message {
    const chat = this.world.openPrivateChat(user);
    return this.sends(chat.id, user, '/start');
  }

  private botSees(chat: SimChat, addressedToBot: boolean): boolean {
    if (chat.botStatus === 'kicked') return false;
    if (chat.type === 'private') return true;
    return !this.privacyMode || chat.botStatus === 'administrator' || addressedToBot;
  }
}
