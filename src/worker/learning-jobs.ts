import type { LlmPort } from '../brain/llm.js';
import type { Cell } from '../cell.js';
import type { Tracer } from '../conversation/ports.js';
import { postDigest, redrawDigest, showItem, type LearningJobContext } from '../desk/jobs/learning-messages.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import { matchFaq } from '../knowledge/knowledge-service.js';
import { draftTaughtEntry } from '../learning/draft-job.js';
import { LEARNING_JOB } from '../learning/kinds.js';
import { proposeFromRequest } from '../learning/propose-job.js';
import { DeskStore } from '../storage/desk-store.js';
import { KnowledgeStore } from '../storage/knowledge-store.js';
import { LearningStore } from '../storage/learning-store.js';

const LLM_POLICY = { maxAttempts: 6, baseDelayMs: 5000, maxDelayMs: 30 * 60_000, timeoutMs: 90_000 };
const TELEGRAM_POLICY = { maxAttempts: 25, baseDelayMs: 1000, maxDelayMs: 10 * 60_000, timeoutMs: 60_000 };

/**
 * THE place where learning's job kinds are registered (src/learning/kinds.ts): drafting and proposing run with the
 * LLM; showing drafts and digests need the desk's Telegram bot, so without one those jobs wait in the queue, as cards do.
 */
export function registerLearningJobs(cell: Cell, deps: { registry: JobRegistry; queue: Queue; llm: LlmPort | null; tracer: Tracer; desk: LearningJobContext | null }): void {
  const { registry, queue, llm, tracer } = deps;
  const store = new LearningStore(cell.db);
  const knowledge = new KnowledgeStore(cell.db);
  const desk = new DeskStore(cell.db);
  registry.register(LEARNING_JOB.draft, (job, ctx) => draftTaughtEntry(Number(job.payload.itemId), job.tenantId ?? -1, { store, llm, queue, tracer, clock: Date.now }, ctx.signal), LLM_POLICY);
  registry.register(LEARNING_JOB.propose, (job, ctx) => proposeFromRequest(Number(job.payload.handoverId), job.tenantId ?? -1, {
    store, llm, queue, tracer, clock: Date.now, findKnown: (tenantId, question) => matchFaq(knowledge, tenantId, question), tenant: (tenantId) => desk.tenant(tenantId),
  }, ctx.signal), LLM_POLICY);
  const telegram = deps.desk;
  if (!telegram) return;
  registry.register(LEARNING_JOB.show, (job) => showItem(job, telegram), TELEGRAM_POLICY);
  registry.register(LEARNING_JOB.digest, (job) => postDigest(job, telegram), TELEGRAM_POLICY);
  registry.register(LEARNING_JOB.redrawDigest, (job) => redrawDigest(job, telegram), { ...TELEGRAM_POLICY, maxAttempts: 8 });
}
