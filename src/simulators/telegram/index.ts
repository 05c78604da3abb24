/**
 * A local Telegram Bot API for tests and `botctl demo`: give grammY `client: { apiRoot: simulator.url }`
 * (or set `TELEGRAM_API_ROOT`).
 */
import { TelegramSimulator, type TelegramSimulatorOptions } from './simulator.js';

export { DEFAULT_TOKEN, TelegramSimulator, type TelegramSimulatorOptions } from './simulator.js';
export type { CallbackAnswer } from './callbacks.js';
export type { FailNextOptions, HangNextOptions } from './faults.js';
export type { UserDocumentOptions, UserSendOptions } from './humans.js';
export type { RateBreach, RateLimits, SendRecord } from './rate.js';
export type { ApiCall } from './server.js';
export type { WebhookDelivery } from './updates.js';
export type { ChatOptions, MessageVersion, SimChat, StoredMessage, Topic } from './world.js';

/** Starts a Telegram Bot API simulator on 127.0.0.1 (a free port unless `port` is given). */
export function startTelegramSimulator(options: TelegramSimulatorOptions = {}): Promise<TelegramSimulator> {
  return TelegramSimulator.start(options);
}
export { startBotApiRouter, type BotApiRouter } from './bot-api-router.js';
