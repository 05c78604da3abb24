import { createHash } from 'node:crypto';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback } from 'grammy';
import { Hono } from 'hono';
import type { Cell } from '../cell.js';
import { DeskActions } from '../conversation/desk-actions.js';
import { JOB } from '../conversation/job-kinds.js';
import type { CustomerChannelPort, Tracer } from '../conversation/ports.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import type { Logger } from '../observability/logger.js';
import { SqlConversationStore } from '../storage/conversation-store.js';
import { DeskStore } from '../storage/desk-store.js';
import type { DeskJobContext } from './jobs/context.js';
import { showDelivery } from './jobs/delivery.js';
import { closeTopic, postCard, updateCard } from './jobs/post-card.js';
import { notify, relayToDesk } from './jobs/relay.js';
import { remind } from './jobs/remind.js';
import { createTelegramBot } from './telegram/client.js';
import { DeskGateway } from './telegram/gateway.js';
import type { DashboardLinkPort } from './telegram/dashboard-command.js';
import { installUpdateHandlers } from './telegram/updates.js';

export interface DeskOptions {
  /** Receive updates by webhook at BOTCTL_PUBLIC_URL/webhooks/telegram instead of long polling. */
  webhook: boolean;
}

export interface RunningDesk {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For /readyz: the poller (or webhook) is receiving updates. */
  readiness(): { ok: boolean; detail?: string };
  /** The Hono route to mount at /webhooks/telegram in webhook mode. */
  webhookRoute: Hono | null;
}

const DESK_POLICY = { maxAttempts: 25, baseDelayMs: 1000, maxDelayMs: 10 * 60_000, timeoutMs: 60_000 };

/**
 * The managers' desk: one grammY bot per cell. Every message it sends or edits is a durable job (registered
 * here); updates from Telegram (presses, replies, commands) are turned into desk actions.
 */
export function registerDesk(cell: Cell, deps: { registry: JobRegistry; queue: Queue; logger: Logger; tracer: Tracer; channel: CustomerChannelPort; options: DeskOptions; dashboard?: DashboardLinkPort }): RunningDesk | null {
  const { registry, queue, logger, tracer, channel, options } = deps;
  const { telegramBotToken, telegramApiRoot, oncallChatId, publicUrl } = cell.config;
  if (!telegramBotToken) {
    logger.warn('TELEGRAM_BOT_TOKEN is not set: handover cards wait in the queue until it is (botctl config check)');
    return null;
  }
  const log = logger.child({ part: 'desk' });
  const bot = createTelegramBot({ token: telegramBotToken, apiRoot: telegramApiRoot });
  const store = new DeskStore(cell.db);
  const gateway = new DeskGateway(bot.api, store, queue, oncallChatId, Date.now, log);
  const ctx: DeskJobContext = { store, gateway, queue, channel, tracer, clock: Date.now };

  // A handed-over customer waits until a manager sees the card: it is claimed before other due jobs.
  registry.register(JOB.postHandoverCard, (job) => postCard(job, ctx), { ...DESK_POLICY, first: true });
  registry.register(JOB.deskUpdateCard, (job) => updateCard(job, ctx), DESK_POLICY);
  registry.register(JOB.relayToDesk, (job, { signal }) => relayToDesk(job, ctx, signal), DESK_POLICY);
  registry.register(JOB.deskRemind, (job) => remind(job, ctx), DESK_POLICY);
  registry.register(JOB.deskCloseTopic, (job) => closeTopic(job, ctx), { ...DESK_POLICY, maxAttempts: 5 });
  registry.register(JOB.deskDelivery, (job) => showDelivery(job, ctx), { ...DESK_POLICY, maxAttempts: 8 });
  registry.register(JOB.deskNotify, (job) => notify(job, ctx), DESK_POLICY);

  const actions = new DeskActions({ store: new SqlConversationStore(cell.db), queue, tracer, clock: Date.now });
  bot.use(sequentialize((c) => (c.chat?.id !== undefined ? String(c.chat.id) : undefined)));
  installUpdateHandlers(bot, { store, actions, gateway, queue, clock: Date.now, logger: log, ...(deps.dashboard ? { dashboard: deps.dashboard } : {}) });
  bot.catch((err) => log.error({ err: err.error, update: err.ctx.update.update_id }, 'a Telegram update could not be handled; it will be delivered again'));

  const secret = createHash('sha256').update(`botctl-telegram-webhook:${telegramBotToken}`).digest('base64url').slice(0, 48);
  let runner: RunnerHandle | null = null;
  let lastError: string | null = null;
  let started = false;

  return {
    webhookRoute: options.webhook ? new Hono().post('/', webhookCallback(bot, 'hono', { secretToken: secret })) : null,
    async start() {
      try {
        await bot.init();
      } catch (err) {
        lastError = `getMe failed: ${err instanceof Error ? err.message : String(err)}; check TELEGRAM_BOT_TOKEN (botctl doctor)`;
        log.error({ err }, 'Telegram bot could not start; cards and reminders wait in the queue');
        return;
      }
      if (options.webhook) {
        if (!publicUrl) throw new Error('webhook mode needs BOTCTL_PUBLIC_URL');
        await bot.api.setWebhook(`${publicUrl.replace(/\/$/, '')}/webhooks/telegram`, { secret_token: secret, allowed_updates: ['message', 'callback_query', 'my_chat_member'] });
      } else {
        runner = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query', 'my_chat_member'] } } });
      }
      started = true;
      log.info({ bot: bot.botInfo.username, mode: options.webhook ? 'webhook' : 'long polling' }, 'Telegram desk started');
    },
    async stop() {
      if (runner?.isRunning()) await runner.stop();
    },
    readiness() {
      if (!started) return { ok: false, detail: lastError ?? 'not started' };
      if (!options.webhook && !runner?.isRunning()) return { ok: false, detail: 'the Telegram poller stopped' };
      return { ok: true };
    },
  };
}
