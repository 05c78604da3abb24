import type { Brain, Decision, EscalationCause } from '../brain/brain.js';
import { detectLanguage } from '../brain/language.js';
import type { LlmPort } from '../brain/llm.js';
import type { Logger } from '../observability/logger.js';
import type { Locale } from '../tenants/settings.js';
import { renderText, type TextKey } from '../texts/texts.js';
import type { IntegrationEvents } from './integration-events.js';
import { contactKey, JOB } from './job-kinds.js';
import { queueOutbound } from './queue-outbound.js';
import type { ConversationStore, CustomerChannelPort, JobEnqueuer, KnowledgePort, StoredInbound, Tracer, TurnData } from './ports.js';
import { readMessages } from './read-messages.js';
import { buildContext, describeRetrieval } from './build-context.js';
import { isOpen, nextOpening, type BusinessHours } from '../tenants/business-hours.js';
import { describeOpening } from '../texts/opening-time.js';
import { recordBookingTurn } from '../sales/booking-turn.js';
import { describeBookingForPrompt } from '../sales/describe-booking.js';
import { localDateTime } from '../sales/local-time.js';
import type { BookingStore, OfferPort, ServiceStore } from '../sales/ports.js';
import { isComplaining, OFFER_CONVERSATION_MS } from '../sales/offers.js';
import { asksToBeForgotten } from '../sales/forget.js';
import { queueCustomerMessage } from '../sales/customer-message.js';
import { SALES_JOB } from '../sales/kinds.js';
import { releaseHeld, type HeldStore } from '../sales/reengagement.js';

export interface InboundHandlerDeps {
  store: ConversationStore;
  queue: JobEnqueuer;
  brain: Brain;
  knowledge: KnowledgePort;
  channel: CustomerChannelPort;
  llm: LlmPort | null;
  tracer: Tracer;
  /** Where webhooks and CRMs hear of new messages, handovers and contact changes. */
  events: IntegrationEvents;
  clock: () => number;
  /** How long after a "manager is on it" notice the next one may be sent. */
  noticeWindowMs: number;
  /** How long a conversation stays quiet before its memory is condensed. */
  memoryQuietMs: number;
  /** What can be booked and the booking requests (src/sales/); absent: the bot offers no booking tool. */
  sales?: { bookings: BookingStore; services: ServiceStore; held?: HeldStore; offers?: OfferPort; contacts?: { lastSeenBefore(tenantId: number, contactId: number, beforeMessageId: number): number | null; expireMemory(tenantId: number, contactId: number, now: number): boolean } };
}

const HOUR = 3_600_000;

/**
 * What happens to a customer's messages (DESIGN.md, data flow): all messages not yet handled for one contact are
 * answered together. While a manager or the queue owns the conversation they are relayed to the desk and the bot
 * stays silent; otherwise the brain answers or hands over. Idempotent: a second run finds nothing pending.
 */
export class InboundHandler {
  constructor(private readonly deps: InboundHandlerDeps) {}

  async handle(contactId: number, signal: AbortSignal, logger: Logger): Promise<void> {
    const { store, clock } = this.deps;
    const turn = store.loadTurn(contactId);
    if (!turn || turn.pending.length === 0) return;
    const traceId = turn.pending.at(-1)!.traceId;
    const ids = turn.pending.map((m) => m.id);
    const trace = (step: string, detail: Record<string, unknown> = {}, outcome: 'ok' | 'error' | 'skipped' | 'vetoed' = 'ok', durationMs: number | null = null) => {
      for (const m of turn.pending) this.deps.tracer.record({ tenantId: turn.tenant.id, traceId: m.traceId, step, outcome, durationMs, messageId: m.id, detail });
    };

    if (turn.tenant.status === 'disabled') {
      store.transaction(() => store.markOutcome(ids, 'ignored'));
      trace('turn.ignored', { reason: 'tenant disabled' }, 'skipped');
      return;
    }
    const held = this.deps.sales?.held;
    if (held) {
      // The customer answered after a re-engagement template: the managers' held messages follow now, once.
      const released = store.transaction(() => releaseHeld({ held, outbound: store, queue: this.deps.queue, events: this.deps.events, clock }, turn.tenant.id, contactId));
      if (released.length > 0) trace('reengagement.released', { messageIds: released });
    }
    if (turn.conversation.state !== 'bot') return this.relay(turn, trace);

    await this.markRead(turn, signal, logger);
    const read = await readMessages(turn.pending, turn.tenant, this.deps, signal, logger);
    for (const note of read.notes) trace('message.read', note);

    if (read.texts.length === 0) {
      if (read.needsManager) return this.escalate(turn, 'media', read.needsManager, null, 'holding_reply', turn.tenant.locale, trace);
      if (read.replyKey) return this.replyWithText(turn, read.replyKey, turn.contact.locale ?? turn.tenant.locale, trace);
      // The customer opened the chat (Telegram's /start): the tenant's greeting, whatever came before.
      if (turn.pending.some((m) => m.kind === 'start')) return this.replyWithText(turn, 'greeting', turn.contact.locale ?? turn.tenant.locale, trace);
      // A sticker is how some customers say hello: the first one deserves a greeting; after an answer it is an
      // acknowledgement and stays unanswered.
      if (turn.pending.some((m) => m.kind === 'sticker') && !turn.history.some((line) => line.author !== 'customer')) {
        return this.replyWithText(turn, 'greeting', turn.contact.locale ?? turn.tenant.locale, trace);
      }
      store.transaction(() => store.markOutcome(ids, 'ignored'));
      trace('turn.ignored', { reason: 'nothing to answer (reaction or sticker)' }, 'skipped');
      return;
    }

    const language = detectLanguage(read.texts.join(' ')) ?? turn.contact.locale ?? turn.tenant.locale;
    if (language !== turn.contact.locale) {
      store.transaction(() => {
        store.setContactLocale(contactId, language);
        this.deps.events.emit({ type: 'contact.updated', tenantId: turn.tenant.id, contactId });
      });
    }

    if (this.deps.sales && asksToBeForgotten(read.texts)) return this.forget(turn, language, trace);

    const since = clock() - HOUR;
    if (store.llmCallsSince(contactId, since) >= turn.tenant.llmCallsPerHour) {
      trace('guardrail.rate_cap', { limit: turn.tenant.llmCallsPerHour }, 'vetoed');
      return this.escalate(turn, 'rate_cap', `more than ${turn.tenant.llmCallsPerHour} bot answers in an hour for this customer`, null, 'rate_limited', language, trace);
    }
    if (read.needsManager) {
      return this.escalate(turn, 'media', read.needsManager, null, 'holding_reply', language, trace);
    }

    // A memory older than the tenant's retention is removed, not used.
    if (turn.contact.memory && this.deps.sales?.contacts?.expireMemory(turn.tenant.id, contactId, clock())) {
      turn.contact.memory = null;
      trace('memory.expired', {});
    }
    const built = await buildContext({ tenant: turn.tenant, knowledge: this.deps.knowledge, texts: read.texts, history: turn.history, memory: turn.contact.memory, language, signal, clock });
    const { retrieval } = built;
    const sales = this.deps.sales;
    const context = sales
      ? { ...built.context, services: sales.services.list(turn.tenant.id), bookings: sales.bookings.ofContact(turn.tenant.id, contactId, 5).map((b) => describeBookingForPrompt(b, language, turn.tenant.texts)),
        timezone: turn.tenant.timezone, localNow: localDateTime(clock(), turn.tenant.timezone), ...this.offersFor(turn, read.texts), ...this.returning(turn) }
      : built.context;
    const searchMs = clock() - (context.startedAt ?? clock());
    if (retrieval.fallback !== null) trace('knowledge.embeddings', { fallback: 'lexical', error: retrieval.fallback }, 'error');
    trace('knowledge.search', describeRetrieval(retrieval, this.deps.knowledge.promptTokens(context), context.faqAnswer !== null), 'ok', searchMs);
    const decision = await this.deps.brain.decide(context, signal);
    this.recordDecision(turn, decision, trace);

    if ((decision.kind === 'booking' || decision.kind === 'booking_incomplete') && sales) {
      const outcome = decision.kind === 'booking' ? { request: decision.request } : { missing: decision.missing };
      const booked = recordBookingTurn({ store, bookings: sales.bookings, services: sales.services, queue: this.deps.queue, events: this.deps.events, clock, ...(sales.offers ? { offers: sales.offers } : {}) }, turn, outcome, language);
      trace('booking.requested', { bookingId: booked.bookingId, text: booked.text });
      return;
    }
    if (decision.kind === 'reply') {
      const messageId = store.transaction(() => {
        const id = store.insertOutbound({ tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId, handoverId: null, authorKind: 'bot', body: decision.text, traceId });
        this.deps.events.emit({ type: 'message.created', tenantId: turn.tenant.id, contactId, messageId: id });
        store.markOutcome(ids, 'replied');
        queueOutbound(this.deps.queue, { tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId, messageId: id, traceId });
        for (const offerId of decision.offersMade ?? []) sales?.offers?.record(turn.tenant.id, offerId, contactId, 'offered', clock());
        if (this.deps.llm) {
          this.deps.queue.enqueue({ kind: JOB.summarizeMemory, tenantId: turn.tenant.id, payload: { contactId }, uniqueKey: `memory:${contactId}`, runAt: clock() + this.deps.memoryQuietMs });
        }
        return id;
      });
      trace('reply.queued', { outboundMessageId: messageId, length: decision.text.length });
      return;
    }
    if (decision.kind !== 'escalate') return this.escalate(turn, 'model_handover', 'the model asked to book, but this tenant has no services', null, 'holding_reply', language, trace);
    const textKey: TextKey = decision.cause === 'llm_unavailable' || decision.cause === 'no_llm' ? 'holding_reply_unavailable' : 'holding_reply';
    return this.escalate(turn, decision.cause, decision.reason, decision.summary, textKey, language, trace);
  }

  /** "Forget me": the bot confirms, and a durable job removes the customer's memory and personal data. */
  private forget(turn: TurnData, language: Locale, trace: (step: string, detail?: Record<string, unknown>) => void): void {
    const { store } = this.deps;
    const traceId = turn.pending.at(-1)!.traceId;
    store.transaction(() => {
      const body = renderText(language, 'forget_confirmed', { business: turn.tenant.name }, turn.tenant.texts);
      queueCustomerMessage({ outbound: store, queue: this.deps.queue, events: this.deps.events }, { tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, handoverId: null, body, traceId });
      store.markOutcome(turn.pending.map((m) => m.id), 'replied');
      this.deps.queue.enqueue({ kind: SALES_JOB.forgetContact, tenantId: turn.tenant.id, payload: { contactId: turn.contact.id, actor: 'customer' }, uniqueKey: `forget:${turn.contact.id}`, traceId });
    });
    trace('contact.forget_requested', {});
  }

  /** A customer with a memory who last wrote a month or more ago is greeted as a returning customer. */
  private returning(turn: TurnData): { returningAfterDays: number } | Record<string, never> {
    const lastSeen = turn.contact.memory ? this.deps.sales?.contacts?.lastSeenBefore(turn.tenant.id, turn.contact.id, turn.pending[0]!.id) : null;
    if (lastSeen === null || lastSeen === undefined) return {};
    const days = Math.floor((this.deps.clock() - lastSeen) / 86_400_000);
    return days >= 30 ? { returningAfterDays: days } : {};
  }

  /** The offers this turn may make: none after one was made in this conversation, none to a complaining customer. */
  private offersFor(turn: TurnData, texts: readonly string[]): { offers: ReturnType<OfferPort['list']>; allOffers: ReturnType<OfferPort['list']> } | Record<string, never> {
    const port = this.deps.sales?.offers;
    if (!port) return {};
    const all = port.list(turn.tenant.id);
    if (all.length === 0) return {};
    const already = port.offeredSince(turn.tenant.id, turn.contact.id, this.deps.clock() - OFFER_CONVERSATION_MS).length > 0;
    const complaining = isComplaining([...texts, ...turn.history.filter((l) => l.author === 'customer').slice(-3).map((l) => l.text)]);
    return { offers: already || complaining ? [] : all, allOffers: all };
  }

  private recordDecision(turn: TurnData, decision: Decision, trace: (step: string, detail?: Record<string, unknown>, outcome?: 'ok' | 'error' | 'skipped' | 'vetoed', durationMs?: number | null) => void): void {
    for (const call of decision.llmCalls) {
      this.deps.store.recordLlmCall({ tenantId: turn.tenant.id, contactId: turn.contact.id, purpose: 'reply', at: call.at, durationMs: call.durationMs, outcome: call.outcome, error: call.error });
      trace('llm.call', { model: this.deps.llm?.model, error: call.error }, call.outcome === 'ok' ? 'ok' : 'error', call.durationMs);
    }
    for (const verdict of decision.verdicts) trace(`guardrail.${verdict.check}`, verdict.detail ? { detail: verdict.detail } : {}, verdict.ok ? 'ok' : 'vetoed');
  }

  private replyWithText(turn: TurnData, key: TextKey, locale: Locale, trace: (step: string, detail?: Record<string, unknown>) => void): void {
    const { store } = this.deps;
    const traceId = turn.pending.at(-1)!.traceId;
    const body = renderText(locale, key, { business: turn.tenant.name }, turn.tenant.texts);
    store.transaction(() => {
      const id = store.insertOutbound({ tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, handoverId: null, authorKind: 'bot', body, traceId });
      this.deps.events.emit({ type: 'message.created', tenantId: turn.tenant.id, contactId: turn.contact.id, messageId: id });
      store.markOutcome(turn.pending.map((m) => m.id), 'replied');
      queueOutbound(this.deps.queue, { tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, messageId: id, traceId });
    });
    trace('reply.queued', { template: key });
  }

  /** Hands the conversation to the managers: holding reply, handover row, card job, all in one transaction. */
  private escalate(turn: TurnData, cause: EscalationCause | 'media' | 'rate_cap', reason: string, summary: string | null, key: TextKey, locale: Locale, trace: (step: string, detail?: Record<string, unknown>) => void): void {
    const { store, clock } = this.deps;
    const traceId = turn.pending.at(-1)!.traceId;
    const body = this.holdingText(turn, key, locale);
    const handover = store.transaction(() => {
      const question = turn.pending.map((m) => m.body?.trim()).filter(Boolean).join('\n') || null;
      const opened = store.openHandover({ tenantId: turn.tenant.id, conversationId: turn.conversation.id, contactId: turn.contact.id, reason, summary, cause, question, actor: { kind: 'bot', id: null, name: null }, now: clock() });
      const id = store.insertOutbound({ tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, handoverId: opened.handoverId, authorKind: 'bot', body, traceId });
      this.deps.events.emit({ type: 'handover.opened', tenantId: turn.tenant.id, contactId: turn.contact.id, handoverId: opened.handoverId });
      this.deps.events.emit({ type: 'message.created', tenantId: turn.tenant.id, contactId: turn.contact.id, messageId: id });
      store.markOutcome(turn.pending.map((m) => m.id), 'escalated');
      queueOutbound(this.deps.queue, { tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, messageId: id, traceId });
      this.deps.queue.enqueue({ kind: JOB.postHandoverCard, tenantId: turn.tenant.id, payload: { handoverId: opened.handoverId }, traceId });
      return opened;
    });
    trace('handover.opened', { handoverId: handover.handoverId, number: handover.number, cause, reason });
  }

  /** The holding reply; outside business hours it says when managers are back. */
  private holdingText(turn: TurnData, key: TextKey, locale: Locale): string {
    const vars = { business: turn.tenant.name };
    if (key === 'holding_reply' && turn.tenant.businessHours) {
      const hours = JSON.parse(turn.tenant.businessHours) as BusinessHours;
      const now = this.deps.clock();
      const opensAt = isOpen(hours, turn.tenant.timezone, now) ? null : nextOpening(hours, turn.tenant.timezone, now);
      if (opensAt !== null) {
        return renderText(locale, 'holding_reply_after_hours', { ...vars, opens_at: describeOpening(opensAt, now, turn.tenant.timezone, locale, turn.tenant.texts) }, turn.tenant.texts);
      }
    }
    return renderText(locale, key, vars, turn.tenant.texts);
  }

  /** A manager or the queue owns the conversation: every message goes to the desk; the bot stays silent. */
  private relay(turn: TurnData, trace: (step: string, detail?: Record<string, unknown>) => void): void {
    const { store, clock } = this.deps;
    const handoverId = turn.conversation.handoverId;
    const now = clock();
    const notice = turn.conversation.state === 'human' && (turn.conversation.noticeSentAt === null || now - turn.conversation.noticeSentAt >= this.deps.noticeWindowMs);
    const traceId = turn.pending.at(-1)!.traceId;
    store.transaction(() => {
      store.markOutcome(turn.pending.map((m) => m.id), 'relayed');
      for (const message of turn.pending) {
        this.deps.queue.enqueue({ kind: JOB.relayToDesk, tenantId: turn.tenant.id, payload: { handoverId, messageId: message.id }, concurrencyKey: `handover:${handoverId}`, traceId: message.traceId });
      }
      if (notice) {
        const locale = turn.contact.locale ?? turn.tenant.locale;
        const body = renderText(locale, 'manager_already_handling', { business: turn.tenant.name }, turn.tenant.texts);
        const id = store.insertOutbound({ tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, handoverId, authorKind: 'bot', body, traceId });
        this.deps.events.emit({ type: 'message.created', tenantId: turn.tenant.id, contactId: turn.contact.id, messageId: id });
        queueOutbound(this.deps.queue, { tenantId: turn.tenant.id, channelAccountId: turn.tenant.channelAccountId, contactId: turn.contact.id, messageId: id, traceId });
        store.setNoticeSentAt(turn.conversation.id, now);
      }
    });
    trace('turn.relayed', { handoverId, state: turn.conversation.state, notice });
  }

  private async markRead(turn: TurnData, signal: AbortSignal, logger: Logger): Promise<void> {
    const last = [...turn.pending].reverse().find((m: StoredInbound) => m.providerMessageId);
    if (!last?.providerMessageId) return;
    try {
      await this.deps.channel.markRead(turn.tenant.channelAccountId, last.providerMessageId, signal);
    } catch (err) {
      // Read receipts and "typing…" are courtesy: a failure must not delay or block the answer.
      logger.debug({ err }, 'could not mark the message read');
    }
  }
}
