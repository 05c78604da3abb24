import type { LlmPort } from '../brain/llm.js';
import type { JobEnqueuer, Tracer } from '../conversation/ports.js';
import type { LearningStore, NewProposal } from '../storage/learning-store.js';
import { checkDraft } from './check-draft.js';
import { customerDetails } from './customer-details.js';
import { nextDigestAt } from './digest-time.js';
import { entriesRequest, managerWords, parseEntries } from './entries.js';
import { digestKey, LEARNING_JOB } from './kinds.js';

/** An existing entry a drafted question repeats (the knowledge's FAQ matcher, see matchFaq). */
export interface KnownEntry {
  chunkId: number;
  sourceName: string;
  question: string;
  answer: string;
}

export interface ProposeDeps {
  store: LearningStore;
  llm: LlmPort | null;
  queue: JobEnqueuer;
  tracer: Tracer;
  clock: () => number;
  findKnown(tenantId: number, question: string): KnownEntry | null;
  tenant(tenantId: number): { timezone: string } | null;
}

export const MAX_PROPOSALS = 5;

/**
 * After a request is resolved: asks the model whether its conversation holds knowledge other customers need, and
 * stores what passes checkDraft as proposals, customer details removed. A question the knowledge already answers
 * becomes a proposed update of that entry, or nothing when the answer is the same. The proposals and the day's digest
 * job are one transaction, and a request's proposals are drawn once (unique per request and ordinal), so a crash at
 * any point neither loses nor doubles one. Nothing here goes live: a person approves each.
 */
export async function proposeFromRequest(handoverId: number, tenantId: number, deps: ProposeDeps, signal: AbortSignal): Promise<void> {
  const { store } = deps;
  const h = store.handoverRef(tenantId, handoverId);
  if (!h || h.status !== 'resolved' || !deps.llm) return;
  const settings = store.settings(tenantId);
  if (settings.mode === 'off') return;
  if (store.proposalsOf(tenantId, handoverId).length > 0) return;
  const conversation = store.handoverConversation(tenantId, handoverId);
  const words = managerWords(conversation);
  if (words.length === 0) return;

  const result = await deps.llm.complete(entriesRequest(conversation, MAX_PROPOSALS), { signal, timeoutMs: 45_000 });
  const details = customerDetails(store.customerOf(tenantId, handoverId) ?? { phone: '', name: null }, conversation);
  const waiting = store.list(tenantId, ['proposed', 'pending']).map((i) => normalize(i.question ?? ''));
  const live = store.list(tenantId, ['live']);
  const proposals: NewProposal[] = [];
  let refused = 0;
  for (const draft of parseEntries(result, MAX_PROPOSALS)) {
    const check = checkDraft(draft, { managerWords: words, conversation: conversation.map((l) => l.text) }, details);
    if (!check.ok) {
      refused++;
      continue;
    }
    const { question, answer } = check.entry;
    if (waiting.includes(normalize(question)) || proposals.some((p) => normalize(p.question) === normalize(question))) continue;
    const known = deps.findKnown(tenantId, question);
    if (known && normalize(known.answer) === normalize(answer)) continue;
    const updatesItem = known?.sourceName === 'learned' ? (live.find((i) => i.question === known.question)?.id ?? null) : null;
    proposals.push({
      question, answer, managerText: words.join('\n'), updatesItemId: updatesItem, updatesChunkId: known?.chunkId ?? null,
      updatesSource: known?.sourceName ?? null, updatesQuestion: known?.question ?? null, updatesAnswer: known?.answer ?? null,
    });
  }
  const tenant = deps.tenant(tenantId);
  const now = deps.clock();
  const ids = store.transaction(() => {
    const inserted = store.insertProposals(tenantId, h, proposals, now);
    if (inserted.length > 0 && tenant) {
      deps.queue.enqueue({ kind: LEARNING_JOB.digest, tenantId, payload: { tenantId }, uniqueKey: digestKey(tenantId), concurrencyKey: digestKey(tenantId), runAt: nextDigestAt(now, tenant.timezone, settings.digestAt) });
    }
    return inserted;
  });
  deps.tracer.record({ tenantId, traceId: `handover-${handoverId}`, step: 'learning.proposed', detail: { handoverId, proposals: ids.length, refused } });
}

function normalize(text: string): string {
  return text.toLowerCase().replaceAll('ё', 'е').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
