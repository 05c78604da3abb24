import { createHash } from 'node:crypto';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback } from 'grammy';
import { Hono } from 'hono';
import type { Cell } from '../cell.js';
import { integrationEvents } from '../integrations/outbox.js';
import { DeskActions } from '../conversation/desk-actions.js';
import type { CustomerChannelPort, Tracer } from '../conversation/ports.js';
import type { BudgetOf, JobHandler } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import type { Logger } from '../observability/logger.js';
import { SqlConversationStore } from '../storage/conversation-store.js';
import { DeskDigestStore } from '../storage/desk-digest-store.js';
import { DeskStore } from '../storage/desk-store.js';
import type { DeskJobContext } from './jobs/context.js';
import { showDelivery } from './jobs/delivery.js';
import { drawDigest } from './jobs/digest.js';
import { closeTopic, postCard, updateCard } from './jobs/post-card.js';
import { notify, relayToDesk } from './jobs/relay.js';
import { remind } from './jobs/remind.js';
import { deskBudget } from './desk-budget.js';
import { createTelegramBot } from './telegram/client.js';
import { DeskGateway } from './telegram/gateway.js';
import type { DashboardLinkPort } from './telegram/dashboard-command.js';
import { installUpdateHandlers } from './telegram/updates.js';
import { LearningService } from '../learning/learning-service.js';
import { AuditStore } from '../storage/audit-store.js';
import { LearningStore } from '../storage/learning-store.js';
import type { LearningJobContext } from './jobs/learning-messages.js';
import { drawBookingCard } from './jobs/booking-card.js';
import { SqlBookingStore } from '../storage/sales-bookings-store.js';
import { SqlReminderStore } from '../storage/sales-reminders-store.js';
import { SqlHeldStore } from '../storage/sales-held-store.js';
import { SqlTemplateStore } from '../storage/sales-templates-store.js';

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
  /** The desk's job handlers and their rate budget; the worker's job table says how each runs. */
  jobs: DeskJobs;
  /** What the learning jobs that post in the managers group need (run by learning's rows of the job table). */
  learningContext: LearningJobContext;
}

export interface DeskJobs {
  postCard: JobHandler;
  updateCard: JobHandler;
  relay: JobHandler;
  remind: JobHandler;
  closeTopic: JobHandler;
  delivery: JobHandler;
  notify: JobHandler;
  digest: JobHandler;
  /** A booking request's card: posted, then redrawn after a manager's decision (src/sales/). */
  bookingCard: JobHandler;
  /** The Telegram budgets a desk job needs: its chat's and the bot's. */
  budget: BudgetOf;
}

/** The updates the desk reads; chat_member (not sent by default) keeps the managers' membership current. */
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member', 'chat_member'] as const;

/**
 * The managers' desk: one grammY bot per cell. Every message it sends or edits is a durable job (their handlers
 * are built here; src/worker/job-table.ts registers them); updates from Telegram (presses, replies, commands) are turned into desk actions.
 */
export function registerDesk(cell: Cell, deps: { queue: Queue; logger: Logger; tracer: Tracer; channel: CustomerChannelPort; options: DeskOptions; dashboard?: DashboardLinkPort }): RunningDesk | null {
  const { queue, logger, tracer, channel, options } = deps;
  const { telegramBotToken, telegramApiRoot, oncallChatId, publicUrl } = cell.config;
  if (!telegramBotToken) {
    logger.warn('TELEGRAM_BOT_TOKEN is not set: handover cards wait in the queue until it is (botctl config check)');
    return null;
  }
  const log = logger.child({ part: 'desk' });
  const bot = createTelegramBot({ token: telegramBotToken, apiRoot: telegramApiRoot });
  const store = new DeskStore(cell.db);
  const gateway = new DeskGateway(bot.api, store, queue, oncallChatId, Date.now, log);
  const learning = new LearningStore(cell.db);
  const held = new SqlHeldStore(cell.db);
  const ctx: DeskJobContext = { store, digest: new DeskDigestStore(cell.db), gateway, queue, channel, tracer, clock: Date.now, teachable: (tenantId) => learning.settings(tenantId).mode !== 'off', reengagement: held };

  const bookings = new SqlBookingStore(cell.db);
  const jobs: DeskJobs = {
    postCard: (job, { signal }) => postCard(job, ctx, signal),
    updateCard: (job) => updateCard(job, ctx),
    relay: (job, { signal }) => relayToDesk(job, ctx, signal),
    remind: (job) => remind(job, ctx),
    closeTopic: (job) => closeTopic(job, ctx),
    delivery: (job) => showDelivery(job, ctx),
    notify: (job) => notify(job, ctx),
    digest: (job) => drawDigest(job, ctx),
    bookingCard: (job, { signal }) => drawBookingCard(job, { ...ctx, bookings }, signal),
    budget: deskBudget(store),
  };

  const actions = new DeskActions({ store: new SqlConversationStore(cell.db), queue, tracer, events: integrationEvents(cell.db, queue), clock: Date.now });
  bot.use(sequentialize((c) => (c.chat?.id !== undefined ? String(c.chat.id) : undefined)));
  const learningService = new LearningService({ store: learning, queue, audit: new AuditStore(cell.db), clock: Date.now });
  installUpdateHandlers(bot, { store, actions, gateway, queue, clock: Date.now, logger: log, learning: { service: learningService, store: learning }, ...(deps.dashboard ? { dashboard: deps.dashboard } : {}),
    booking: { bookings, decisions: { bookings, tenants: bookings, outbound: new SqlConversationStore(cell.db), queue, events: integrationEvents(cell.db, queue), clock: Date.now, reminders: new SqlReminderStore(cell.db) },
      reengagement: { held, templates: new SqlTemplateStore(cell.db), outbound: new SqlConversationStore(cell.db), queue, events: integrationEvents(cell.db, queue), clock: Date.now } },
  });
  bot.catch((err) => log.error({ err: err.error, update: err.ctx.update.update_id }, 'a Telegram update could not be handled; it will be delivered again'));

  const secret = createHash('sha256').update(`botctl-telegram-webhook:${telegramBotToken}`).digest('base64url').slice(0, 48);
  let runner: RunnerHandle | null = null;
  let lastError: string | null = null;
  let started = false;

  return {
    jobs,
    learningContext: { ...ctx, learning },
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
        await bot.api.setWebhook(`${publicUrl.replace(/\/$/, '')}/webhooks/telegram`, { secret_token: secret, allowed_updates: ALLOWED_UPDATES });
      } else {
        runner = run(bot, { runner: { fetch: { allowed_updates: ALLOWED_UPDATES } } });
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
