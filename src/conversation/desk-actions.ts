import { renderText } from '../texts/texts.js';
import type { IntegrationEvents } from './integration-events.js';
import { contactKey, JOB } from './job-kinds.js';
import { queueOutbound } from './queue-outbound.js';
import type { ConversationStore, HandoverState, JobEnqueuer, OutboundMedia, Tracer } from './ports.js';

export interface Manager {
  id: number;
  name: string;
  /** An operator acting from the command line rather than a manager in Telegram. */
  operator?: boolean;
}

export type ActionResult =
  | { ok: true; handover: HandoverState }
  | { ok: false; reason: 'missing' | 'resolved' | 'already_taken' | 'not_taken' | 'not_assignee'; by?: string | null; handover?: HandoverState };

/**
 * What managers do with a request, as the domain sees it (the Telegram adapter only translates presses and
 * messages into these calls). Each action is one transaction: the ownership change through the state machine,
 * the jobs it causes (greeting the customer, redrawing the card, reminders), and its trace event. Because SQLite
 * serialises writers, the first of two simultaneous Take presses wins and the second sees the new owner.
 */
export class DeskActions {
  constructor(private readonly deps: { store: ConversationStore; queue: JobEnqueuer; tracer: Tracer; events: IntegrationEvents; clock: () => number }) {}

  take(handoverId: number, manager: Manager, options: { takeOver?: boolean } = {}): ActionResult {
    const { store, queue, clock } = this.deps;
    return store.transaction((): ActionResult => {
      const h = store.handover(handoverId);
      if (!h || !h.current) return { ok: false, reason: h ? 'resolved' : 'missing' };
      if (h.status === 'resolved') return { ok: false, reason: 'resolved' };
      if (h.status === 'taken') {
        if (h.assignedToId === manager.id) return { ok: true, handover: h };
        if (!options.takeOver) return { ok: false, reason: 'already_taken', by: h.assignedToName, handover: h };
      }
      const now = clock();
      const event = h.status === 'taken' ? 'reassign' : 'take';
      store.transition({ conversationId: h.conversationId, event, actor: actorOf(manager), reason: null, now });
      const locale = h.contactLocale ?? h.tenantLocale;
      const greeting = renderText(locale, 'manager_greeting', { manager: firstName(manager.name), business: h.tenantName }, h.texts);
      const traceId = `handover-${h.id}`;
      const messageId = store.insertOutbound({ tenantId: h.tenantId, channelAccountId: h.channelAccountId, contactId: h.contactId, handoverId: h.id, authorKind: 'bot', body: greeting, traceId });
      this.deps.events.emit({ type: 'handover.taken', tenantId: h.tenantId, contactId: h.contactId, handoverId: h.id });
      this.deps.events.emit({ type: 'message.created', tenantId: h.tenantId, contactId: h.contactId, messageId });
      queueOutbound(queue, { tenantId: h.tenantId, channelAccountId: h.channelAccountId, contactId: h.contactId, messageId, traceId });
      this.redrawCard(h);
      queue.enqueue({ kind: JOB.deskRemind, tenantId: h.tenantId, payload: { handoverId: h.id, reminder: 'no_reply', n: 1 }, uniqueKey: `remind-reply:${h.id}`, runAt: now + 1, traceId });
      this.deps.tracer.record({ tenantId: h.tenantId, traceId, step: event === 'take' ? 'handover.taken' : 'handover.reassigned', detail: { handoverId: h.id, manager: manager.name, waitMs: now - h.createdAt } });
      return { ok: true, handover: store.handover(handoverId)! };
    });
  }

  resolve(handoverId: number, manager: Manager): ActionResult {
    const { store, clock } = this.deps;
    return store.transaction((): ActionResult => {
      const h = store.handover(handoverId);
      if (!h) return { ok: false, reason: 'missing' };
      if (h.status === 'resolved' || !h.current) return { ok: false, reason: 'resolved' };
      const now = clock();
      store.transition({ conversationId: h.conversationId, event: 'resolve', actor: actorOf(manager), reason: null, now });
      this.deps.events.emit({ type: 'handover.resolved', tenantId: h.tenantId, contactId: h.contactId, handoverId: h.id });
      this.redrawCard(h);
      this.deps.queue.enqueue({ kind: JOB.deskCloseTopic, tenantId: h.tenantId, payload: { handoverId: h.id } });
      // What the conversation taught is proposed for the knowledge (a person decides; see src/learning/).
      this.deps.queue.enqueue({ kind: JOB.learningPropose, tenantId: h.tenantId, payload: { handoverId: h.id }, uniqueKey: `learning-propose:${h.id}` });
      this.deps.tracer.record({ tenantId: h.tenantId, traceId: `handover-${h.id}`, step: 'handover.resolved', detail: { handoverId: h.id, manager: manager.name, durationMs: now - h.createdAt } });
      return { ok: true, handover: store.handover(handoverId)! };
    });
  }

  release(handoverId: number, manager: Manager): ActionResult {
    const { store, clock } = this.deps;
    return store.transaction((): ActionResult => {
      const h = store.handover(handoverId);
      if (!h) return { ok: false, reason: 'missing' };
      if (h.status === 'resolved' || !h.current) return { ok: false, reason: 'resolved' };
      if (h.status === 'waiting') return { ok: false, reason: 'not_taken' };
      if (h.assignedToId !== manager.id) return { ok: false, reason: 'not_assignee', by: h.assignedToName };
      const now = clock();
      store.transition({ conversationId: h.conversationId, event: 'release', actor: actorOf(manager), reason: null, now });
      this.redrawCard(h);
      this.deps.queue.enqueue({ kind: JOB.deskRemind, tenantId: h.tenantId, payload: { handoverId: h.id, reminder: 'untaken', n: 1 }, uniqueKey: `remind:${h.id}`, runAt: now + 1 });
      this.deps.tracer.record({ tenantId: h.tenantId, traceId: `handover-${h.id}`, step: 'handover.released', detail: { handoverId: h.id, manager: manager.name } });
      return { ok: true, handover: store.handover(handoverId)! };
    });
  }

  /**
   * A manager's answer to the customer: it takes a waiting request first (answering is owning), stores the
   * message, and queues its delivery. Returns the stored message id, or why it was refused.
   */
  managerReply(handoverId: number, manager: Manager, text: string, file?: { type: 'image' | 'document'; media: OutboundMedia }): { ok: true; messageId: number } | { ok: false; reason: 'missing' | 'resolved' | 'already_taken'; by?: string | null } {
    const { store, queue, clock } = this.deps;
    const taken = this.take(handoverId, manager);
    if (!taken.ok && taken.reason !== 'already_taken') return { ok: false, reason: taken.reason === 'missing' ? 'missing' : 'resolved' };
    return store.transaction(() => {
      const h = store.handover(handoverId)!;
      const now = clock();
      const traceId = `handover-${h.id}`;
      const messageId = store.insertOutbound({
        tenantId: h.tenantId, channelAccountId: h.channelAccountId, contactId: h.contactId, handoverId: h.id, authorKind: 'manager', authorId: manager.id, authorName: manager.name,
        body: text, traceId, ...(file ? { type: file.type, media: file.media } : {}),
      });
      store.setFirstResponse(h.id, now);
      // The first answer makes the request teachable: the card gets its "Teach the bot" button.
      if (h.firstResponseAt === null) this.redrawCard(h);
      this.deps.events.emit({ type: 'message.created', tenantId: h.tenantId, contactId: h.contactId, messageId });
      queueOutbound(queue, { tenantId: h.tenantId, channelAccountId: h.channelAccountId, contactId: h.contactId, messageId, traceId });
      this.deps.tracer.record({ tenantId: h.tenantId, traceId, step: 'manager.replied', messageId, detail: { handoverId: h.id, manager: manager.name, firstResponse: h.firstResponseAt === null } });
      return { ok: true as const, messageId };
    });
  }

  private redrawCard(h: HandoverState): void {
    this.deps.queue.enqueue({ kind: JOB.deskUpdateCard, tenantId: h.tenantId, payload: { handoverId: h.id }, uniqueKey: `card:${h.id}`, concurrencyKey: `handover:${h.id}` });
  }
}

/** "Aigerim Sadykova" → "Aigerim": the customer is greeted by the manager's first name. */
function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

function actorOf(manager: Manager) {
  return { kind: manager.operator ? ('operator' as const) : ('manager' as const), id: manager.operator ? null : manager.id, name: manager.name };
}
