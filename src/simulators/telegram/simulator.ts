import type { Server } from 'node:http';
import type { CallbackQuery, Chat, Message, Update, User, UserFromGetMe } from 'grammy/types';
import { closeServer, listenLocal, listenOn } from '../local-http/http.js';
import { CallbackBook, type CallbackAnswer } from './callbacks.js';
import { FaultPlan, type FailNextOptions, type HangNextOptions } from './faults.js';
import { Humans, type UserDocumentOptions, type UserSendOptions } from './humans.js';
import { SendLog, type RateBreach, type RateLimits } from './rate.js';
import { handleBotApi, type ApiCall } from './server.js';
import { UpdateQueue, type WebhookDelivery } from './updates.js';
import { World, type ChatOptions, type SimChat, type StoredMessage, type Topic } from './world.js';

export interface TelegramSimulatorOptions {
  /** The bot token grammY is given; its digits before ':' are the bot's user id. */
  token?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  botUsername?: string;
  /** Telegram's default for bots is on: in groups where the bot is not admin it sees only what is addressed to it. */
  privacyMode?: boolean;
  /** Pause before retrying a webhook delivery that failed (Telegram waits longer; tests want speed). */
  webhookRetryMs?: number;
  /** Refuse sends over these limits with 429 and retry_after, as Telegram's flood control does (default: record only). */
  enforceLimits?: RateLimits;
}

export const DEFAULT_TOKEN = '7000000001:AAEsimulatedTokenForBotctlTestsXXXX';

/**
 * A local Telegram Bot API on 127.0.0.1 with a model of group chats: give grammY `client.apiRoot = url`.
 * Tests inject what people do (`userSends`, `userPresses`, …), read what the group sees (`messagesIn`),
 * and script failures (`failNext`, `hangNext`, `setOffline`).
 */
export class TelegramSimulator {
  /** Every Bot API call received, in order. */
  readonly calls: ApiCall[] = [];
  readonly token: string;
  private readonly world: World;
  private readonly updates: UpdateQueue;
  private readonly sendLog: SendLog;
  private readonly callbacks = new CallbackBook();
  private readonly faults = new FaultPlan();
  private readonly humans: Humans;
  private offline: false | 'refuse' | 'bad-gateway' = false;
  private server!: Server;
  private portNumber = 0;

  private constructor(options: TelegramSimulatorOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.sendLog = new SendLog(options.enforceLimits ?? null);
    const botId = Number(/^(\d+):/.exec(this.token)?.[1] ?? 7_000_000_001);
    this.world = new World({
      id: botId, is_bot: true, first_name: 'botctl', username: options.botUsername ?? 'botctl_sim_bot',
      can_join_groups: true, can_read_all_group_messages: options.privacyMode === false, supports_inline_queries: false,
      can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false,
      can_manage_bots: false, supports_join_request_queries: false,
    });
    this.updates = new UpdateQueue(options.webhookRetryMs ?? 200);
    this.humans = new Humans(this.world, this.updates, this.callbacks, options.privacyMode ?? true);
  }

  static async start(options: TelegramSimulatorOptions = {}): Promise<TelegramSimulator> {
    const simulator = new TelegramSimulator(options);
    const deps = {
      token: simulator.token, world: simulator.world, updates: simulator.updates, sendLog: simulator.sendLog,
      callbacks: simulator.callbacks, faults: simulator.faults, calls: simulator.calls,
      badGateway: () => simulator.offline === 'bad-gateway',
    };
    const { server, port } = await listenLocal((req, res) => handleBotApi(deps, req, res), options.port ?? 0);
    simulator.server = server;
    simulator.portNumber = port;
    return simulator;
  }

  /** grammY's `apiRoot` (it calls `{url}/bot{token}/{method}`); what `TELEGRAM_API_ROOT` takes. */
  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  get port(): number {
    return this.portNumber;
  }

  /** The bot as getMe describes it. */
  get bot(): UserFromGetMe {
    return this.world.bot;
  }

  /** Where `getFile`'s `file_path` can be downloaded. */
  fileUrl(filePath: string): string {
    return `${this.url}/file/bot${this.token}/${filePath}`;
  }

  // ── the chats ──

  /** Creates a group or supergroup with the bot already in it; returns the Bot API chat object. */
  createChat(options: ChatOptions): Chat {
    return this.world.chatObject(this.world.createChat(options));
  }

  /** A member joins: a new_chat_members service message, which the bot receives. */
  addMember(chatId: number, user: User): Message {
    return this.humans.addMember(chatId, user);
  }

  /** The simulator's model of a chat (members, bot status, topics, migration). */
  chat(chatId: number): SimChat {
    return this.world.chatForTest(chatId);
  }

  topics(chatId: number): Topic[] {
    return [...this.world.chatForTest(chatId).topics.values()];
  }

  /** Messages the bot sent that the group still sees, oldest first; with `threadId`, only that topic/thread. */
  messagesIn(chatId: number, threadId?: number): StoredMessage[] {
    return this.historyIn(chatId, threadId).filter((m) => m.sentByBot && m.service === undefined);
  }

  /** Everything the group sees (people's messages, the bot's, service messages), oldest first. */
  historyIn(chatId: number, threadId?: number): StoredMessage[] {
    return this.world.messagesOf(chatId).filter((m) => !m.deleted && (threadId === undefined || m.threadId === threadId));
  }

  /** One message by id, deleted ones included (see `deleted`). */
  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.world.message(chatId, messageId);
  }

  // ── what people do ──

  /** `user` opens a private chat with the bot (Start); afterwards userSends(user.id, user, …) writes in it. */
  userStartsPrivateChat(user: User): Message {
    return this.humans.startsPrivateChat(user);
  }

  userSends(chatId: number, user: User, text: string, options?: UserSendOptions): Message {
    return this.humans.sends(chatId, user, text, options);
  }

  /** A customer writes to the bot privately: `content` is the message's fields (see Humans.writesPrivately). */
  userWritesPrivately(user: User, content: Partial<Message>): Message {
    return this.humans.writesPrivately(user, content);
  }

  /** Stores a file as if a person uploaded it, so a message can carry its file_id (voice notes, photos of customers). */
  uploadFile(bytes: Buffer, kind: 'photo' | 'document', mimeType: string, fileName?: string): { file_id: string; file_unique_id: string } {
    const file = this.world.storeFile(bytes, kind, mimeType, fileName);
    return { file_id: file.file_id, file_unique_id: file.file_unique_id };
  }

  userSendsPhoto(chatId: number, user: User, bytes: Buffer, caption?: string, options?: UserSendOptions): Message {
    return this.humans.sendsPhoto(chatId, user, bytes, caption, options);
  }

  userSendsDocument(chatId: number, user: User, bytes: Buffer, fileName: string, options?: UserDocumentOptions): Message {
    return this.humans.sendsDocument(chatId, user, bytes, fileName, options);
  }

  /** Presses an inline button; returns the callback query id. The bot's answer lands in `callbackAnswers`. */
  userPresses(chatId: number, user: User, messageId: number, callbackData: string): string {
    return this.humans.presses(chatId, user, messageId, callbackData);
  }

  /** `user` leaves the group (or is removed by `by`): a chat_member update for a bot that asked for them. */
  removeMember(chatId: number, user: User, by?: User): void {
    this.humans.removeMember(chatId, user, by);
  }

  botRemovedFrom(chatId: number): void {
    this.humans.botRemovedFrom(chatId);
  }

  /** Upgrades a group; returns the supergroup's new id. */
  migrateToSupergroup(chatId: number): number {
    return this.humans.migrateToSupergroup(chatId);
  }

  // ── what the bot did ──

  get callbackAnswers(): CallbackAnswer[] {
    return this.callbacks.answers;
  }

  unansweredCallbacks(): CallbackQuery[] {
    return this.callbacks.unanswered();
  }

  /** Updates waiting for the bot (not yet confirmed by an offset or a webhook 2xx). */
  pendingUpdates(): Update[] {
    return this.updates.unconfirmed();
  }

  get webhookDeliveries(): WebhookDelivery[] {
    return this.updates.deliveries;
  }

  /** Times (epoch ms) of every message the bot sent, to one chat or overall. */
  sendTimestamps(chatId?: number): number[] {
    return this.sendLog.timestamps(chatId);
  }

  /** Sends refused with 429 by the enforced limits (TelegramSimulatorOptions.enforceLimits). */
  get refusedSends(): number {
    return this.sendLog.refused;
  }

  /** Sends that broke Telegram's limits (defaults: 20 per minute per group, 30 per second overall). */
  rateBreaches(limits?: RateLimits): RateBreach[] {
    return this.sendLog.breaches(limits);
  }

  // ── failures ──

  failNext(options: FailNextOptions): void {
    this.faults.failNext(options);
  }

  hangNext(options?: HangNextOptions): void {
    this.faults.hangNext(options);
  }

  /**
   * A Telegram outage. 'bad-gateway' (default) answers every request 502 with an HTML page, as Telegram's
   * front does; 'refuse' stops listening so connections are refused. `false` brings it back on the same port.
   */
  async setOffline(offline: boolean, mode: 'bad-gateway' | 'refuse' = 'bad-gateway'): Promise<void> {
    const wasRefusing = this.offline === 'refuse';
    this.offline = offline ? mode : false;
    this.updates.setPaused(offline);
    const refusing = this.offline === 'refuse';
    if (refusing && !wasRefusing) await closeServer(this.server);
    if (!refusing && wasRefusing) await listenOn(this.server, this.portNumber);
  }

  /** Stops the server, dropping every connection (long polls and hung calls included). */
  async close(): Promise<void> {
    this.updates.clear();
    this.updates.setPaused(true);
    await closeServer(this.server);
  }
}
