import type { LlmPort } from '../brain/llm.js';
import { LlmError } from '../brain/llm.js';
import type { JobEnqueuer, Tracer } from '../conversation/ports.js';
import type { LearningStore } from '../storage/learning-store.js';
import { checkDraft, type DraftCheck } from './check-draft.js';
import { customerDetails } from './customer-details.js';
import { entriesRequest, managerWords, parseEntries, plainEntry, type DraftEntry } from './entries.js';
import { LEARNING_JOB } from './kinds.js';

export interface DraftJobDeps {
  store: LearningStore;
  llm: LlmPort | null;
  queue: JobEnqueuer;
  tracer: Tracer;
  clock: () => number;
}

/**
 * Writes a taught draft: the model turns the request's conversation into one entry (without a model, or when the
 * provider refuses the request, the customer's question and the manager's words as written), then checkDraft keeps
 * or refuses it. The result and the job that shows it are one transaction; a draft no longer `drafting` is left alone.
 */
export async function draftTaughtEntry(itemId: number, tenantId: number, deps: DraftJobDeps, signal: AbortSignal): Promise<void> {
  const { store } = deps;
  const item = store.item(tenantId, itemId);
  if (!item || item.status !== 'drafting' || item.handoverId === null) return;
  const conversation = store.handoverConversation(item.tenantId, item.handoverId);
  const words = item.managerText ? [item.managerText] : managerWords(conversation);
  let draft: DraftEntry | null = null;
  if (deps.llm) {
    try {
      const result = await deps.llm.complete(entriesRequest(conversation, 1), { signal, timeoutMs: 30_000 });
      draft = parseEntries(result, 1)[0] ?? null;
    } catch (err) {
      if (!(err instanceof LlmError) || err.retryable) throw err;
    }
  }
  draft ??= plainEntry(conversation);
  const details = customerDetails(store.customerOf(item.tenantId, item.handoverId) ?? { phone: '', name: null }, conversation);
  const check: DraftCheck | null = draft ? checkDraft(draft, { managerWords: words, conversation: conversation.map((l) => l.text) }, details) : null;
  const now = deps.clock();
  store.transaction(() => {
    const fields = check?.ok
      ? { status: 'draft' as const, question: check.entry.question, answer: check.entry.answer, refusal: null }
      : { status: 'refused' as const, question: check?.entry.question ?? null, answer: check?.entry.answer ?? null, refusal: refusalOf(check) };
    if (!store.update(item.tenantId, item.id, fields, now, ['drafting'])) return;
    deps.queue.enqueue({ kind: LEARNING_JOB.show, tenantId: item.tenantId, payload: { itemId: item.id }, uniqueKey: `learning-show:${item.id}`, concurrencyKey: `learning-item:${item.id}` });
  });
  deps.tracer.record({ tenantId: item.tenantId, traceId: `handover-${item.handoverId}`, step: check?.ok ? 'learning.drafted' : 'learning.draft_refused', detail: { itemId: item.id, ...(check && !check.ok ? { reason: check.reason } : {}) } });
}

/** The refusal as stored: a code and what changed, e.g. `changed_facts: number 16000; phone 77270000000`. */
export function refusalOf(check: DraftCheck | null): string {
  if (!check) return 'empty';
  if (check.ok) return '';
  if (check.reason === 'changed_facts') return `changed_facts: ${check.facts.map((f) => `${f.kind} ${f.value}`).join('; ')}`;
  if (check.reason === 'customer_details') return 'customer_details';
  return 'empty';
}
