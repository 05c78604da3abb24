import { Brain, type BrainPolicy } from '../brain/brain.js';
import type { LlmPort } from '../brain/llm.js';
import { OpenAiLlm } from '../brain/openai-llm.js';
import type { Cell } from '../cell.js';
import { GraphClient } from '../channels/whatsapp/graph-client.js';
import { WhatsappChannel } from '../channels/whatsapp/whatsapp-channel.js';
import { InstagramChannel } from '../channels/instagram/instagram-channel.js';
import { CustomerBotChannel } from '../channels/telegram/customer-bot-channel.js';
import { CustomerBotConnections } from '../channels/telegram/customer-bot-connections.js';
import { CustomerBotIntake } from '../channels/telegram/customer-bot-intake.js';
import { lookupInstagramProfile } from '../channels/instagram/profile-lookup.js';
import { withProfileRequests } from '../channels/instagram/profile-requests.js';
import { SqlContactProfileStore } from '../storage/contact-profile-store.js';
import { telegramCustomerWebhook } from '../server/telegram-customer-webhook.js';
import { ChannelAccountStore, type CustomerBotRow } from '../storage/channel-account-store.js';
import { SECRET_CONTEXT } from '../tenants/tenant-service.js';
import { InboundHandler } from '../conversation/handle-inbound.js';
import { JOB } from '../conversation/job-kinds.js';
import { Intake } from '../conversation/intake.js';
import type { CustomerChannelPort, KnowledgePort } from '../conversation/ports.js';
import { DeliverMessage } from '../channels/deliver-message.js';
import { deliveryBudgetOf } from '../channels/outbound-budget.js';
import { ChannelRoutes } from '../channels/outbound-routes.js';
import type { BudgetOf } from '../jobs/registry.js';
import { summarizeMemory } from '../conversation/summarize-memory.js';
import { integrationEvents } from '../integrations/outbox.js';
import { SqlMemoryStore } from '../storage/memory-store.js';
import type { JobHandler } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import type { Logger } from '../observability/logger.js';
import type { WorkerMetrics } from '../observability/metrics.js';
import { workerTracer } from '../observability/metrics-tracer.js';
import { whatsappWebhook } from '../server/whatsapp-webhook.js';
import { SqlConversationStore } from '../storage/conversation-store.js';
import { SqlIntakeStore } from '../storage/intake-store.js';
import { SqlOutboundStore } from '../storage/outbound-store.js';
import { ChannelAccountCredentials } from '../tenants/credentials.js';
import { SqlBookingStore } from '../storage/sales-bookings-store.js';
import { SqlServiceStore } from '../storage/sales-services-store.js';
import { SqlReminderStore } from '../storage/sales-reminders-store.js';
import { SqlTemplateStore } from '../storage/sales-templates-store.js';
import { sendReminder } from '../sales/reminders.js';
import { SqlHeldStore } from '../storage/sales-held-store.js';
import { SqlOfferStore } from '../storage/sales-offers-store.js';
import { SqlForgetStore } from '../storage/sales-forget-store.js';
import { forgetContactJob } from '../sales/forget.js';
import { AuditStore } from '../storage/audit-store.js';
import { TelegramFileSource } from '../desk/telegram/file-source.js';

export interface PipelineOptions {
  brain: BrainPolicy;
  /** At most one "a manager is already on it" per customer per this window. */
  noticeWindowMs: number;
  graphTimeoutMs: number;
  /** A conversation quiet this long gets its memory condensed by the LLM (each new turn pushes it back). */
  memoryQuietMs: number;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  brain: { callTimeoutMs: 20_000, deadlineMs: 45_000 },
  noticeWindowMs: 10 * 60_000,
  graphTimeoutMs: 15_000,
  memoryQuietMs: 30 * 60_000,
};

/** The LLM configured for the cell, or null: then the bot answers exact FAQ matches only. */
export function llmFromConfig(cell: Cell): LlmPort | null {
  const { openaiApiKey, openaiBaseUrl, llmModel } = cell.config;
  return openaiApiKey ? new OpenAiLlm({ apiKey: openaiApiKey, baseURL: openaiBaseUrl, model: llmModel }) : null;
}

/** The handlers of the pipeline's jobs; the worker's job table (src/worker/job-table.ts) says how each runs. */
export interface PipelineJobs {
  handleInbound: JobHandler;
  /** Delivers one outbound message on its contact's channel (every channel). */
  deliverMessage: JobHandler;
  /** The rate budgets of a delivery: its channel's, for the account and the customer. */
  deliveryBudget: BudgetOf;
  summarizeMemory: JobHandler;
  /** A confirmed booking's reminder to the customer (src/sales/reminders.ts). */
  customerReminder: JobHandler;
  /** "Forget me": remove a customer's memory and personal data (src/sales/forget.ts). */
  forgetContact: JobHandler;
  /** Reads an Instagram customer's username and name for the card (src/channels/instagram/profile-lookup.ts). */
  instagramProfile: JobHandler;
}

/**
 * The WhatsApp message pipeline: the webhook route, intake, the answer job and the send job, wired on one cell.
 * Returns the Hono sub-app to mount at /webhooks/whatsapp, the ports the desk shares, and its job handlers.
 */
export function registerPipeline(cell: Cell, deps: { queue: Queue; logger: Logger; knowledge: KnowledgePort; llm: LlmPort | null; options: PipelineOptions; metrics?: WorkerMetrics }) {
  const { queue, logger, knowledge, llm, options } = deps;
  const tracer = workerTracer(cell.db, deps.metrics);
  const channel = new WhatsappChannel(new GraphClient({ baseUrl: cell.config.whatsappGraphUrl, timeoutMs: options.graphTimeoutMs }));
  // Every channel account's adapter and credentials: replies, read receipts and media go through the contact's account.
  const instagram = new InstagramChannel({ baseUrl: cell.config.instagramGraphUrl, timeoutMs: options.graphTimeoutMs });
  // A tenant's own customer bot on Telegram (distinct from the cell's desk bot), through the same Bot API root.
  const customerBot = new CustomerBotChannel({ apiRoot: cell.config.telegramApiRoot });
  const accountCredentials = new ChannelAccountCredentials(cell.db, cell.secrets);
  const routes = new ChannelRoutes(accountCredentials, { whatsapp: channel, instagram, telegram: customerBot });
  const customerChannel: CustomerChannelPort = {
    markRead: (accountId, messageId, signal) => {
      const route = routes.forAccount(accountId);
      return route.sender.markRead(route.credentials, messageId, { typing: true }, signal);
    },
    fetchMedia: (accountId, mediaId, signal) => {
      const route = routes.forAccount(accountId);
      return route.sender.fetchMedia(route.credentials, mediaId, signal);
    },
  };

  const events = integrationEvents(cell.db, queue);
  const handler = new InboundHandler({
    store: new SqlConversationStore(cell.db), queue, events, brain: new Brain(llm, options.brain), knowledge, channel: customerChannel, llm, tracer,
    clock: Date.now, noticeWindowMs: options.noticeWindowMs, memoryQuietMs: options.memoryQuietMs,
    sales: { bookings: new SqlBookingStore(cell.db), services: new SqlServiceStore(cell.db), held: new SqlHeldStore(cell.db), offers: new SqlOfferStore(cell.db), contacts: new SqlForgetStore(cell.db) },
  });

  // A manager sees the delivery state of each of their messages under it in Telegram.
  const showDelivery = (message: { id: number; authorKind: string }) => {
    if (message.authorKind === 'manager') queue.enqueue({ kind: JOB.deskDelivery, tenantId: null, payload: { messageId: message.id }, uniqueKey: `delivery:${message.id}`, concurrencyKey: `delivery:${message.id}` });
  };
  const { telegramBotToken, telegramApiRoot } = cell.config;
  const media = telegramBotToken ? new TelegramFileSource({ token: telegramBotToken, apiRoot: telegramApiRoot }) : undefined;
  const memory = new SqlMemoryStore(cell.db);

  const outbound = new SqlOutboundStore(cell.db);
  const sender = new DeliverMessage({ outbound, routes, tracer, clock: Date.now, onOutcome: showDelivery, ...(media ? { media } : {}) });

  const intakeStore = new SqlIntakeStore(cell.db, cell.secrets);
  // A stored message of an Instagram customer whose profile is due queues its lookup (background, off the reply's path).
  const profiles = new SqlContactProfileStore(cell.db);
  const intakeEvents = withProfileRequests(events, { store: profiles, queue, clock: Date.now });
  const intake = new Intake(intakeStore, queue, tracer, cell.config.debounceMs, Date.now, showDelivery, intakeEvents);
  const webhook = whatsappWebhook({
    receiver: channel, accounts: intakeStore, intake, verifyToken: cell.config.whatsappVerifyToken, cellAppSecret: cell.config.whatsappAppSecret, logger,
    events: deps.metrics?.webhookEvents(),
  });
  // Instagram Direct: the same Meta signing and handshake, routed by the business's Instagram account id (entry.id).
  const instagramWebhook = whatsappWebhook({
    channel: 'instagram', receiver: instagram, accounts: intakeStore, intake, verifyToken: cell.config.whatsappVerifyToken,
    cellAppSecret: cell.config.instagramAppSecret ?? cell.config.whatsappAppSecret, logger,
  });
  const reminderDeps = {
    reminders: new SqlReminderStore(cell.db), templates: new SqlTemplateStore(cell.db), outbound: new SqlConversationStore(cell.db), queue, events, clock: Date.now,
  };
  const jobs: PipelineJobs = {
    handleInbound: async (job, ctx) => handler.handle(Number(job.payload.contactId), ctx.signal, ctx.logger),
    deliverMessage: async (job, ctx) => sender.run(job, ctx.signal),
    deliveryBudget: deliveryBudgetOf((accountId) => outbound.channelOf(accountId)),
    summarizeMemory: (job, ctx) => summarizeMemory(job, { store: memory, llm, tracer, clock: Date.now }, ctx.signal),
    customerReminder: async (job, ctx) => {
      if (job.tenantId === null) return;
      const outcome = sendReminder(reminderDeps, job.tenantId, Number(job.payload.reminderId));
      if (outcome?.startsWith('skipped')) ctx.logger.warn({ reminder: job.payload.reminderId, outcome }, 'a customer reminder was not sent');
    },
    forgetContact: async (job) => {
      forgetContactJob(job, { store: new SqlForgetStore(cell.db), audit: new AuditStore(cell.db), clock: Date.now });
    },
    instagramProfile: (job, ctx) => lookupInstagramProfile(job, { store: profiles, credentials: accountCredentials, instagram, tracer, clock: Date.now }, ctx),
  };
  const botAccounts = new ChannelAccountStore(cell.db);
  const tokenOf = (bot: CustomerBotRow) => cell.secrets.open(bot.tokenEnc, SECRET_CONTEXT.telegramCustomerBotToken(bot.slug), `the customer bot token of tenant ${bot.slug}`);
  const botIntake = new CustomerBotIntake({ intake, accounts: botAccounts, logger, clock: Date.now });
  const telegramWebhook = telegramCustomerWebhook({ bots: botAccounts, tokenOf, intake: botIntake, logger });
  const customerBots = new CustomerBotConnections({ bots: botAccounts, tokenOf, channel: customerBot, intake: botIntake, publicUrl: cell.config.publicUrl ?? null, logger });
  return { webhook, instagramWebhook, telegramWebhook, customerBots, customerChannel, tracer, jobs };
}
