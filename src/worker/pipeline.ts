import { Brain, type BrainPolicy } from '../brain/brain.js';
import type { LlmPort } from '../brain/llm.js';
import { OpenAiLlm } from '../brain/openai-llm.js';
import type { Cell } from '../cell.js';
import { GraphClient } from '../channels/whatsapp/graph-client.js';
import { WhatsappChannel } from '../channels/whatsapp/whatsapp-channel.js';
import { InboundHandler } from '../conversation/handle-inbound.js';
import { JOB } from '../conversation/job-kinds.js';
import { Intake } from '../conversation/intake.js';
import type { CustomerChannelPort, KnowledgePort } from '../conversation/ports.js';
import { SendReply } from '../conversation/send-reply.js';
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
import { WhatsappCredentials } from '../tenants/credentials.js';
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
  sendReply: JobHandler;
  summarizeMemory: JobHandler;
  /** A confirmed booking's reminder to the customer (src/sales/reminders.ts). */
  customerReminder: JobHandler;
  /** "Forget me": remove a customer's memory and personal data (src/sales/forget.ts). */
  forgetContact: JobHandler;
}

/**
 * The WhatsApp message pipeline: the webhook route, intake, the answer job and the send job, wired on one cell.
 * Returns the Hono sub-app to mount at /webhooks/whatsapp, the ports the desk shares, and its job handlers.
 */
export function registerPipeline(cell: Cell, deps: { queue: Queue; logger: Logger; knowledge: KnowledgePort; llm: LlmPort | null; options: PipelineOptions; metrics?: WorkerMetrics }) {
  const { queue, logger, knowledge, llm, options } = deps;
  const tracer = workerTracer(cell.db, deps.metrics);
  const channel = new WhatsappChannel(new GraphClient({ baseUrl: cell.config.whatsappGraphUrl, timeoutMs: options.graphTimeoutMs }));
  const credentials = new WhatsappCredentials(cell.db, cell.secrets);
  const customerChannel: CustomerChannelPort = {
    markRead: (tenantId, wamid, signal) => channel.markRead(credentials.forTenant(tenantId), wamid, { typing: true }, signal),
    fetchMedia: (tenantId, mediaId, signal) => channel.fetchMedia(credentials.forTenant(tenantId), mediaId, signal),
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

  const sender = new SendReply({ outbound: new SqlOutboundStore(cell.db), credentials, channel, tracer, clock: Date.now, onOutcome: showDelivery, ...(media ? { media } : {}) });

  const intakeStore = new SqlIntakeStore(cell.db, cell.secrets);
  const intake = new Intake(intakeStore, queue, tracer, cell.config.debounceMs, Date.now, showDelivery, events);
  const webhook = whatsappWebhook({
    receiver: channel, accounts: intakeStore, intake, verifyToken: cell.config.whatsappVerifyToken, cellAppSecret: cell.config.whatsappAppSecret, logger,
    events: deps.metrics?.webhookEvents(),
  });
  const reminderDeps = {
    reminders: new SqlReminderStore(cell.db), templates: new SqlTemplateStore(cell.db), outbound: new SqlConversationStore(cell.db), queue, events, clock: Date.now,
  };
  const jobs: PipelineJobs = {
    handleInbound: async (job, ctx) => handler.handle(Number(job.payload.contactId), ctx.signal, ctx.logger),
    sendReply: async (job, ctx) => sender.run(job, ctx.signal),
    summarizeMemory: (job, ctx) => summarizeMemory(job, { store: memory, llm, tracer, clock: Date.now }, ctx.signal),
    customerReminder: async (job, ctx) => {
      if (job.tenantId === null) return;
      const outcome = sendReminder(reminderDeps, job.tenantId, Number(job.payload.reminderId));
      if (outcome?.startsWith('skipped')) ctx.logger.warn({ reminder: job.payload.reminderId, outcome }, 'a customer reminder was not sent');
    },
    forgetContact: async (job) => {
      forgetContactJob(job, { store: new SqlForgetStore(cell.db), audit: new AuditStore(cell.db), clock: Date.now });
    },
  };
  return { webhook, customerChannel, tracer, jobs };
}
