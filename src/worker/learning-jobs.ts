import type { LlmPort } from '../brain/llm.js';
import type { Cell } from '../cell.js';
import type { Tracer } from '../conversation/ports.js';
import { postDigest, redrawDigest, showItem, type LearningJobContext } from '../desk/jobs/learning-messages.js';
import type { JobHandler } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import { matchFaq } from '../knowledge/knowledge-service.js';
import { draftTaughtEntry } from '../learning/draft-job.js';
import { proposeFromRequest } from '../learning/propose-job.js';
import { DeskStore } from '../storage/desk-store.js';
import { KnowledgeStore } from '../storage/knowledge-store.js';
import { LearningStore } from '../storage/learning-store.js';

/** Drafting and proposing call the LLM: an outage is waited out (backoff capped at 30 minutes). */
export const LEARNING_LLM_POLICY = { maxAttempts: 6, baseDelayMs: 5000, maxDelayMs: 30 * 60_000, timeoutMs: 90_000 };

export interface LearningJobs {
  draft: JobHandler;
  propose: JobHandler;
  /** Null without the desk's Telegram bot: drafts and digests then wait in the queue, as cards do. */
  telegram: { show: JobHandler; digest: JobHandler; redrawDigest: JobHandler } | null;
}

/**
 * Learning's job handlers (src/learning/kinds.ts); src/worker/job-table.ts says how they run. Drafting and proposing
 * run with the LLM; showing drafts and digests need the desk's Telegram bot.
 */
export function learningJobs(cell: Cell, deps: { queue: Queue; llm: LlmPort | null; tracer: Tracer; desk: LearningJobContext | null }): LearningJobs {
  const { queue, llm, tracer } = deps;
  const store = new LearningStore(cell.db);
  const knowledge = new KnowledgeStore(cell.db);
  const desk = new DeskStore(cell.db);
  const telegram = deps.desk;
  return {
    draft: (job, ctx) => draftTaughtEntry(Number(job.payload.itemId), job.tenantId ?? -1, { store, llm, queue, tracer, clock: Date.now }, ctx.signal),
    propose: (job, ctx) => proposeFromRequest(Number(job.payload.handoverId), job.tenantId ?? -1, {
      store, llm, queue, tracer, clock: Date.now, findKnown: (tenantId, question) => matchFaq(knowledge, tenantId, question), tenant: (tenantId) => desk.tenant(tenantId),
    }, ctx.signal),
    telegram: telegram ? {
      show: (job) => showItem(job, telegram),
      digest: (job) => postDigest(job, telegram),
      redrawDigest: (job) => redrawDigest(job, telegram),
    } : null,
  };
}
