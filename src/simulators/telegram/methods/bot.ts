import type { BotCommand } from 'grammy/types';
import { badRequest } from '../errors.js';
import { Described, type MethodHandler } from './context.js';

export const getMe: MethodHandler = ({ world }) => world.bot;

export const getUpdates: MethodHandler = ({ updates, closed }, params) => {
  const allowedUpdates = params.json<string[]>('allowed_updates', "can't parse allowed updates JSON object");
  return updates.getUpdates({
    ...optional('offset', params.int('offset')),
    ...optional('limit', params.int('limit')),
    ...optional('timeout', params.int('timeout')),
    ...optional('allowedUpdates', allowedUpdates),
  }, closed);
};

/**
 * Unlike Telegram, any http(s) URL is accepted (tests listen on 127.0.0.1 without TLS); an empty URL
 * removes the webhook, as in Telegram.
 */
export const setWebhook: MethodHandler = ({ updates }, params) => {
  const url = params.string('url') ?? '';
  if (url === '') {
    updates.deleteWebhook(params.bool('drop_pending_updates'));
    return new Described(true, 'Webhook was deleted');
  }
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  const secretToken = params.string('secret_token');
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
    throw badRequest('secret token contains unallowed characters');
  }
  const maxConnections = params.int('max_connections') ?? 40;
  const allowedUpdates = params.json<string[]>('allowed_updates', "can't parse allowed updates JSON object");
  updates.setWebhook({ url, maxConnections, ...optional('secretToken', secretToken) }, allowedUpdates, params.bool('drop_pending_updates'));
  return new Described(true, 'Webhook was set');
};

export const deleteWebhook: MethodHandler = ({ updates }, params) => {
  const had = updates.deleteWebhook(params.bool('drop_pending_updates'));
  return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
};

export const getWebhookInfo: MethodHandler = ({ updates }) => updates.webhookInfo();

export const answerCallbackQuery: MethodHandler = ({ callbacks }, params) => {
  callbacks.answer(params.requiredString('callback_query_id'), {
    showAlert: params.bool('show_alert'),
    ...optional('text', params.string('text')),
    ...optional('url', params.string('url')),
    ...optional('cacheTime', params.int('cache_time')),
  });
  return true;
};

/** Commands are kept per bot only (scopes and languages are not simulated). */
export const setMyCommands: MethodHandler = ({ world }, params) => {
  const list = params.json<BotCommand[]>('commands', "can't parse commands JSON object");
  if (!Array.isArray(list)) throw badRequest('parameter "commands" is required');
  for (const command of list) {
    if (!/^[a-z0-9_]{1,32}$/.test(command.command)) throw badRequest('BOT_COMMAND_INVALID');
  }
  world.commands = list;
  return true;
};

export const getMyCommands: MethodHandler = ({ world }) => world.commands;

export const deleteMyCommands: MethodHandler = ({ world }) => {
  world.commands = [];
  return true;
};

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
