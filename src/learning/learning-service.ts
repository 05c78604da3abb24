import type { JobEnqueuer } from '../conversation/ports.js';
import type { LearnedItem, LearnedStatus, LearningSettings, LearningStore } from '../storage/learning-store.js';
import { checkDraft, parseCorrection } from './check-draft.js';
import { customerDetails } from './customer-details.js';
import { managerWords } from './entries.js';
import { LEARNING_JOB } from './kinds.js';
import { approverOf, mayDecide, saveOutcome } from './policy.js';

/** Who acts: a manager in Telegram (id, name) or an operator at the command line. */
export interface Person {
  id: number | null;
  name: string;
  operator: boolean;
}

export interface AuditPort {
  record(entry: { at: number; actor: string; action: string; tenantId: number | null; tenantSlug: string | null; detail: Record<string, unknown> }): void;
}

export interface LearningTenant {
  id: number;
  slug: string;
  ownerChatId: number | null;
}

export type Refusal = 'missing' | 'off' | 'no_answer' | 'open_draft' | 'not_approver' | 'wrong_state' | 'empty' | 'customer_details';
export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; reason: Refusal; item?: LearnedItem };

const OPEN_FOR_EDIT: readonly LearnedStatus[] = ['draft', 'refused', 'editing'];
const WAITING: readonly LearnedStatus[] = ['pending', 'proposed'];

/**
 * What managers and operators decide about learned knowledge, as the domain sees it (the Telegram adapter and the
 * CLI only translate presses and commands into these calls). Each decision is one transaction: the item's state
 * (guarded, so two presses cannot both win), the `learned` knowledge source rebuilt when what is live changed, the
 * audit row, and the job that redraws the message managers see.
 */
export class LearningService {
  constructor(private readonly deps: { store: LearningStore; queue: JobEnqueuer; audit: AuditPort; clock: () => number }) {}

  settings(tenant: LearningTenant): LearningSettings & { approver: number | null } {
    const settings = this.deps.store.settings(tenant.id);
    return { ...settings, approver: approverOf(settings, tenant.ownerChatId) };
  }

  /** Teach: opens a draft of one entry from a request a manager has answered; the draft job writes it. */
  teach(tenant: LearningTenant, handoverId: number, person: Person, place: { chatId: number | null; threadId: number | null }): Outcome<{ itemId: number }> {
    const { store, queue, clock } = this.deps;
    if (this.settings(tenant).mode === 'off') return { ok: false, reason: 'off' };
    return store.transaction((): Outcome<{ itemId: number }> => {
      const h = store.handoverRef(tenant.id, handoverId);
      if (!h) return { ok: false, reason: 'missing' };
      const open = store.openDraft(tenant.id, handoverId);
      if (open) return { ok: false, reason: 'open_draft', item: open };
      const words = managerWords(store.handoverConversation(tenant.id, handoverId));
      if (h.firstResponseAt === null || words.length === 0) return { ok: false, reason: 'no_answer' };
      const now = clock();
      const itemId = store.createDraft({ tenantId: tenant.id, handoverId, handoverNumber: h.number, managerText: words.join('\n'), createdById: person.id ?? 0, createdByName: person.name, ...place, now });
      queue.enqueue({ kind: LEARNING_JOB.draft, tenantId: tenant.id, payload: { itemId }, uniqueKey: `learning-draft:${itemId}`, traceId: `handover-${handoverId}` });
      return { ok: true, itemId };
    });
  }

  /** Save: live under `direct` (or when the approver saves), else waiting for the approver. */
  save(tenant: LearningTenant, itemId: number, person: Person): Outcome<{ status: 'live' | 'pending' }> {
    const { store, clock } = this.deps;
    const settings = this.settings(tenant);
    return store.transaction((): Outcome<{ status: 'live' | 'pending' }> => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      if (item.status !== 'draft') return { ok: false, reason: 'wrong_state', item };
      const outcome = person.operator ? 'live' : saveOutcome(settings.mode, settings.approver, person.id);
      if (outcome === 'off') return { ok: false, reason: 'off', item };
      const now = clock();
      if (outcome === 'pending') {
        store.update(tenant.id, itemId, { status: 'pending', submittedByName: person.name }, now, ['draft']);
        this.audit(tenant, person, 'kb.learned.submit', item, now);
      } else {
        this.goLive(tenant, item, person, now, ['draft']);
      }
      this.redraw(tenant, item);
      return { ok: true, status: outcome };
    });
  }

  /** Approve what waits: a taught entry under `approve`, or a proposal (an update replaces the entry it updates). */
  approve(tenant: LearningTenant, itemId: number, person: Person): Outcome {
    return this.decide(tenant, itemId, person, 'approve');
  }

  reject(tenant: LearningTenant, itemId: number, person: Person): Outcome {
    return this.decide(tenant, itemId, person, 'reject');
  }

  /** Edit: the next reply of this manager to the draft's message is the corrected text. */
  edit(tenant: LearningTenant, itemId: number, person: Person): Outcome {
    const { store, clock } = this.deps;
    return store.transaction((): Outcome => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      if (!store.update(tenant.id, itemId, { status: 'editing', editorId: person.id }, clock(), OPEN_FOR_EDIT)) return { ok: false, reason: 'wrong_state', item };
      this.redraw(tenant, item);
      return { ok: true };
    });
  }

  /**
   * The manager's corrected text becomes the draft: their own words, so no fact can have changed; the customer's
   * details are still taken out.
   */
  correct(tenant: LearningTenant, itemId: number, person: Person, text: string): Outcome {
    const { store, clock } = this.deps;
    return store.transaction((): Outcome => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      if (item.status !== 'editing' || (item.editorId !== null && item.editorId !== person.id)) return { ok: false, reason: 'wrong_state', item };
      const current = item.question ? { question: item.question, answer: item.answer ?? '' } : null;
      const fallbackQuestion = current ?? (item.handoverId !== null ? { question: firstQuestion(store, tenant.id, item.handoverId), answer: '' } : null);
      const entry = parseCorrection(text, fallbackQuestion?.question ? fallbackQuestion : null);
      if (!entry) return { ok: false, reason: 'empty', item };
      const conversation = item.handoverId !== null ? store.handoverConversation(tenant.id, item.handoverId) : [];
      const customer = item.handoverId !== null ? store.customerOf(tenant.id, item.handoverId) : null;
      const details = customerDetails(customer ?? { phone: '', name: null }, conversation);
      const check = checkDraft(entry, { managerWords: [text], conversation: conversation.map((l) => l.text) }, details);
      if (!check.ok && check.reason !== 'changed_facts') return { ok: false, reason: check.reason === 'empty' ? 'empty' : 'customer_details', item };
      store.update(tenant.id, itemId, { status: 'draft', question: check.entry.question, answer: check.entry.answer, managerText: text, refusal: null, editorId: null }, clock(), ['editing']);
      this.redraw(tenant, item);
      return { ok: true };
    });
  }

  discard(tenant: LearningTenant, itemId: number, person: Person): Outcome {
    const { store, clock } = this.deps;
    return store.transaction((): Outcome => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      const now = clock();
      if (!store.update(tenant.id, itemId, { status: 'discarded', decidedById: person.id, decidedByName: person.name, decidedAt: now }, now, [...OPEN_FOR_EDIT, 'drafting'])) {
        return { ok: false, reason: 'wrong_state', item };
      }
      this.redraw(tenant, item);
      return { ok: true };
    });
  }

  /** Removes a live learned entry from the knowledge (the CLI's `kb remove <slug> learned:<id>`). */
  remove(tenant: LearningTenant, itemId: number, person: Person): Outcome {
    const { store, clock } = this.deps;
    return store.transaction((): Outcome => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      const now = clock();
      if (!store.update(tenant.id, itemId, { status: 'removed', decidedByName: person.name, decidedAt: now }, now, ['live'])) return { ok: false, reason: 'wrong_state', item };
      store.rebuildLearnedSource(tenant.id, now);
      this.audit(tenant, person, 'kb.learned.remove', item, now);
      return { ok: true };
    });
  }

  /** Removes every live learned entry (`kb remove <slug> learned`). Returns how many went. */
  removeAll(tenant: LearningTenant, person: Person): number {
    const { store, clock } = this.deps;
    return store.transaction(() => {
      const now = clock();
      const live = store.list(tenant.id, ['live']);
      for (const item of live) store.update(tenant.id, item.id, { status: 'removed', decidedByName: person.name, decidedAt: now }, now, ['live']);
      store.rebuildLearnedSource(tenant.id, now);
      this.deps.audit.record({ at: now, actor: actorOf(person), action: 'kb.learned.remove', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { items: live.map((i) => i.id) } });
      return live.length;
    });
  }

  private decide(tenant: LearningTenant, itemId: number, person: Person, decision: 'approve' | 'reject'): Outcome {
    const { store, clock } = this.deps;
    const settings = this.settings(tenant);
    return store.transaction((): Outcome => {
      const item = store.item(tenant.id, itemId);
      if (!item) return { ok: false, reason: 'missing' };
      if (!WAITING.includes(item.status)) return { ok: false, reason: 'wrong_state', item };
      if (!mayDecide(settings.mode, settings.approver, person)) return { ok: false, reason: settings.mode === 'off' ? 'off' : 'not_approver', item };
      const now = clock();
      if (decision === 'approve') {
        this.goLive(tenant, item, person, now, WAITING);
      } else {
        store.update(tenant.id, itemId, { status: 'rejected', decidedById: person.id, decidedByName: person.name, decidedAt: now }, now, WAITING);
        this.audit(tenant, person, 'kb.learned.reject', item, now);
      }
      this.redraw(tenant, item);
      return { ok: true };
    });
  }

  private goLive(tenant: LearningTenant, item: LearnedItem, person: Person, now: number, from: readonly LearnedStatus[]): void {
    const { store } = this.deps;
    store.update(tenant.id, item.id, { status: 'live', decidedById: person.id, decidedByName: person.name, decidedAt: now }, now, from);
    if (item.updatesItemId !== null) store.update(tenant.id, item.updatesItemId, { status: 'replaced', decidedByName: person.name, decidedAt: now }, now, ['live']);
    store.rebuildLearnedSource(tenant.id, now);
    this.audit(tenant, person, 'kb.learned.approve', item, now);
  }

  private audit(tenant: LearningTenant, person: Person, action: string, item: LearnedItem, now: number): void {
    this.deps.audit.record({
      at: now, actor: actorOf(person), action, tenantId: tenant.id, tenantSlug: tenant.slug,
      detail: { item: item.id, origin: item.origin, request: item.handoverNumber, question: item.question, ...(item.updatesItemId !== null || item.updatesChunkId !== null ? { updates: item.updatesItemId ?? `${item.updatesSource}#${item.updatesChunkId}` } : {}) },
    });
  }

  /** The message managers see follows the decision: a taught item's own message, or the digest holding a proposal. */
  private redraw(tenant: LearningTenant, item: LearnedItem): void {
    if (item.digestId !== null) {
      this.deps.queue.enqueue({ kind: LEARNING_JOB.redrawDigest, tenantId: tenant.id, payload: { tenantId: tenant.id, digestId: item.digestId }, uniqueKey: `learning-redraw-digest:${item.digestId}`, concurrencyKey: `learning-digest:${tenant.id}` });
    } else if (item.origin === 'taught') {
      this.deps.queue.enqueue({ kind: LEARNING_JOB.show, tenantId: tenant.id, payload: { itemId: item.id }, uniqueKey: `learning-show:${item.id}`, concurrencyKey: `learning-item:${item.id}` });
    }
  }
}

export function actorOf(person: Person): string {
  return person.operator ? person.name : `telegram:${person.id} ${person.name}`;
}

function firstQuestion(store: LearningStore, tenantId: number, handoverId: number): string {
  const asked = store.handoverConversation(tenantId, handoverId).filter((l) => l.author === 'customer').map((l) => l.text.trim());
  return asked.findLast((t) => t.includes('?')) ?? asked.at(-1) ?? '';
}
