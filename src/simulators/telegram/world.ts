import { randomBytes } from 'node:crypto';
import type { BotCommand, Chat, Document, InlineKeyboardMarkup, Message, MessageEntity, PhotoSize, User, UserFromGetMe } from 'grammy/types';
import { badRequest, forbidden } from './errors.js';

export interface ChatOptions {
  /** Defaults to a fresh id in Telegram's ranges (-4…… for groups, -100…… for supergroups); a private chat's is its person's id. */
  id?: number;
  type: 'group' | 'supergroup' | 'private';
  title: string;
  /** Topics on; only for supergroups. */
  isForum?: boolean;
  /** People in the chat; the first one is its creator (the "owner" getChatAdministrators lists). */
  members?: User[];
  botIsAdmin?: boolean;
  /** Defaults to `botIsAdmin`, as an admin added with default rights has it. */
  botCanManageTopics?: boolean;
  /** A public supergroup with "join to send messages" off: people who are not members can write in it. */
  openToNonMembers?: boolean;
}

export interface Topic { threadId: number; name: string; iconColor: number; closed: boolean; createdByBot: boolean }

export interface SimChat {
  id: number;
  /** `private`: a person's chat with the bot, id = the person's id, opened by them (openPrivateChat). */
  type: 'group' | 'supergroup' | 'private';
  title: string;
  isForum: boolean;
  members: Map<number, User>;
  botStatus: 'member' | 'administrator' | 'kicked';
  botCanManageTopics: boolean;
  /** Set once the group became a supergroup: sends to this id then answer 400 with migrate_to_chat_id. */
  migratedTo?: number;
  topics: Map<number, Topic>;
  openToNonMembers: boolean;
}

/** One earlier version of an edited message. */
export interface MessageVersion {
  text?: string;
  caption?: string;
  reply_markup?: InlineKeyboardMarkup;
  replacedAt: Date;
}

/** A message as the chat holds it; `wire()` turns it into the Bot API `Message`. */
export interface StoredMessage {
  message_id: number;
  chatId: number;
  /** Forum topic, or the reply thread of a supergroup. */
  threadId?: number;
  isTopicMessage: boolean;
  from: User;
  date: number;
  sentByBot: boolean;
  /** Text as the group sees it (HTML already rendered into `entities`). */
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  /** The text or caption exactly as the bot sent it, and its parse_mode. */
  source?: { text: string; parseMode?: string };
  photo?: PhotoSize[];
  document?: Document;
  reply_markup?: InlineKeyboardMarkup;
  replyToMessageId?: number;
  /** Service message fields (forum_topic_created, new_chat_members, migrate_to_chat_id, …). */
  service?: Partial<Message>;
  /** Earlier versions, oldest first; empty when never edited. */
  edits: MessageVersion[];
  editDate?: number;
  deleted: boolean;
}

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
  mimeType: string;
  fileName?: string;
}

export function randomToken(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** The chats, their members and messages, and the stored files: everything the Bot API reads or changes. */
export class World {
  readonly chats = new Map<number, SimChat>();
  readonly files = new Map<string, StoredFile>();
  commands: BotCommand[] = [];
  private readonly messages = new Map<number, StoredMessage[]>();
  private readonly knownUsers = new Map<number, User>();
  private nextGroupId = 4_000_000_001;
  private nextSupergroupId = 1_002_000_000_001;
  private nextFile = 1;

  constructor(readonly bot: UserFromGetMe) {}

  createChat(options: ChatOptions): SimChat {
    if (options.isForum && options.type !== 'supergroup') throw new Error('only a supergroup can be a forum');
    if (options.type === 'private' && (options.id === undefined || options.id <= 0)) throw new Error('a private chat has the id of its person (a positive user id)');
    const id = options.id ?? (options.type === 'group' ? -this.nextGroupId++ : -this.nextSupergroupId++);
    if (this.chats.has(id)) throw new Error(`chat ${id} already exists`);
    const admin = options.botIsAdmin ?? false;
    const chat: SimChat = {
      id, type: options.type, title: options.title, isForum: options.isForum ?? false,
      members: new Map(), botStatus: admin ? 'administrator' : 'member',
      botCanManageTopics: options.botCanManageTopics ?? admin, topics: new Map(), openToNonMembers: options.openToNonMembers ?? false,
    };
    for (const user of options.members ?? []) this.addMemberQuietly(chat, user);
    this.chats.set(id, chat);
    this.messages.set(id, []);
    return chat;
  }

  addMemberQuietly(chat: SimChat, user: User): void {
    chat.members.set(user.id, user);
    this.knownUsers.set(user.id, user);
  }

  /** Someone who wrote or pressed somewhere: getChatMember can then answer about them. */
  rememberUser(user: User): void {
    if (!this.knownUsers.has(user.id)) this.knownUsers.set(user.id, user);
  }

  knownUser(id: number): User | undefined {
    return id === this.bot.id ? this.bot : this.knownUsers.get(id);
  }

  /** A chat a test refers to; a typo there is a test bug, so it throws a plain Error. */
  chatForTest(id: number): SimChat {
    const chat = this.chats.get(id);
    if (!chat) throw new Error(`no simulated chat ${id}; createChat first`);
    return chat;
  }

  /** A person's private chat with the bot, created the first time they open it (Telegram: they press Start). */
  openPrivateChat(user: User): SimChat {
    const existing = this.chats.get(user.id);
    if (existing) return existing;
    const chat: SimChat = {
      id: user.id, type: 'private', title: user.first_name, isForum: false, members: new Map([[user.id, user]]), botStatus: 'member', botCanManageTopics: false, topics: new Map(), openToNonMembers: false,
    };
    this.knownUsers.set(user.id, user);
    this.chats.set(user.id, chat);
    this.messages.set(user.id, []);
    return chat;
  }

  /** The chat a bot call names, refused like Telegram when unknown, migrated or the bot was removed. */
  chatForBot(id: number): SimChat {
    const chat = this.chats.get(id);
    // A bot may not write first to a person who never opened a chat with it.
    if (!chat && id > 0) throw forbidden("bot can't initiate conversation with a user");
    if (!chat) throw badRequest('chat not found');
    if (chat.migratedTo !== undefined) {
      throw badRequest('group chat was upgraded to a supergroup chat', { migrate_to_chat_id: chat.migratedTo });
    }
    if (chat.botStatus === 'kicked') throw forbidden(`bot was kicked from the ${chat.type} chat`);
    return chat;
  }

  chatObject(chat: SimChat): Chat {
    if (chat.type === 'group') return { id: chat.id, type: 'group', title: chat.title };
    if (chat.type === 'private') {
      const user = chat.members.get(chat.id);
      return { id: chat.id, type: 'private', first_name: user?.first_name ?? chat.title, ...(user?.last_name ? { last_name: user.last_name } : {}), ...(user?.username ? { username: user.username } : {}) };
    }
    return { id: chat.id, type: 'supergroup', title: chat.title, ...(chat.isForum ? { is_forum: true as const } : {}) };
  }

  /** Appends a message with the chat's next id. */
  addMessage(chat: SimChat, fields: Omit<StoredMessage, 'message_id' | 'chatId' | 'date' | 'edits' | 'deleted' | 'isTopicMessage'> & { isTopicMessage?: boolean }): StoredMessage {
    const list = this.messages.get(chat.id)!;
    const message: StoredMessage = {
      isTopicMessage: false, ...fields, message_id: (list.at(-1)?.message_id ?? 0) + 1, chatId: chat.id, date: now(), edits: [], deleted: false,
    };
    list.push(message);
    return message;
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(chatId)?.find((m) => m.message_id === messageId);
  }

  messagesOf(chatId: number): StoredMessage[] {
    return this.messages.get(chatId) ?? [];
  }

  /**
   * The thread a new message joins: in a forum, the topic (checked to exist); in a supergroup, a reply
   * joins its target's reply thread, as `message_thread_id` marks reply threads there too.
   */
  threadFor(chat: SimChat, threadId: number | undefined, replyTo: StoredMessage | undefined): { threadId?: number; isTopicMessage: boolean } {
    if (chat.isForum) {
      const topicId = threadId ?? (replyTo?.isTopicMessage ? replyTo.threadId : undefined);
      if (topicId === undefined) return { isTopicMessage: false };
      if (!chat.topics.has(topicId)) throw badRequest('message thread not found');
      return { threadId: topicId, isTopicMessage: true };
    }
    if (chat.type === 'supergroup' && replyTo) return { threadId: replyTo.threadId ?? replyTo.message_id, isTopicMessage: false };
    return threadId !== undefined && chat.type === 'supergroup' ? { threadId, isTopicMessage: false } : { isTopicMessage: false };
  }

  /** The Bot API `Message` for a stored one, as it looks now (a reply embeds its target one level deep). */
  wire(message: StoredMessage, nested = false): Message {
    const chat = this.chats.get(message.chatId)!;
    const wire: Record<string, unknown> = { message_id: message.message_id };
    if (message.threadId !== undefined) wire.message_thread_id = message.threadId;
    Object.assign(wire, { from: message.from, chat: this.chatObject(chat), date: message.date });
    if (message.isTopicMessage) wire.is_topic_message = true;
    const target = message.replyToMessageId !== undefined ? this.message(message.chatId, message.replyToMessageId) : undefined;
    if (!nested && target && !target.deleted) wire.reply_to_message = this.wire(target, true);
    if (message.editDate !== undefined) wire.edit_date = message.editDate;
    for (const key of ['text', 'entities', 'photo', 'document', 'caption', 'caption_entities'] as const) {
      const value = message[key];
      if (value !== undefined && !(Array.isArray(value) && value.length === 0 && key.endsWith('entities'))) wire[key] = value;
    }
    if (message.reply_markup && message.reply_markup.inline_keyboard.length > 0) wire.reply_markup = message.reply_markup;
    Object.assign(wire, message.service ?? {});
    return wire as unknown as Message;
  }

  /** Keeps bytes so getFile and the file URL can serve them; ids look like Telegram's (opaque, long). */
  storeFile(data: Buffer, kind: 'photo' | 'document', mimeType: string, fileName?: string): StoredFile {
    const n = this.nextFile++;
    const extension = kind === 'photo' ? 'jpg' : (fileName?.includes('.') ? fileName.split('.').pop()! : 'dat');
    const file: StoredFile = {
      file_id: `${kind === 'photo' ? 'AgACAgIAAxkB' : 'BQACAgIAAxkB'}${randomToken(60)}`,
      file_unique_id: `AQAD${randomToken(12)}`,
      file_path: `${kind === 'photo' ? 'photos' : 'documents'}/file_${n}.${extension}`,
      data, mimeType,
      ...(fileName !== undefined ? { fileName } : {}),
    };
    this.files.set(file.file_id, file);
    return file;
  }

  fileByPath(path: string): StoredFile | undefined {
    for (const file of this.files.values()) if (file.file_path === path) return file;
    return undefined;
  }

  /** The wire fields of a stored file sent as a photo (one size: the simulator does not decode images). */
  photoSizes(file: StoredFile): PhotoSize[] {
    return [{ file_id: file.file_id, file_unique_id: file.file_unique_id, width: 0, height: 0, file_size: file.data.length }];
  }

  documentOf(file: StoredFile): Document {
    return {
      file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.data.length, mime_type: file.mimeType,
      ...(file.fileName !== undefined ? { file_name: file.fileName } : {}),
    };
  }
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', json: 'application/json', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  png: 'image/png', gif: 'image/gif', webp: 'image/webp', ogg: 'audio/ogg', mp3: 'audio/mpeg', mp4: 'video/mp4',
  zip: 'application/zip', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Telegram guesses a document's type from its name (grammY uploads everything as octet-stream). */
export function mimeFor(fileName: string | undefined): string {
  const extension = fileName?.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}
