import type { Config } from '../config/config.js';
import type { JobHandler } from '../jobs/registry.js';
import type { Queue } from '../jobs/queue.js';
import type { Db } from '../storage/open-db.js';
import { VectorStore } from '../storage/vector-store.js';
import { embedTenant } from './embeddings/embed-job.js';
import { OpenAiEmbedder, type EmbedderPort } from './embeddings/embedder.js';
import { embedKey, KNOWLEDGE_JOB } from './job-kinds.js';
import { KnowledgeSearch } from './knowledge-search.js';
import { encodingFor } from './tokens.js';

/** An outage of the embeddings API of up to about an hour is waited out (backoff capped at 10 minutes). */
const EMBED_ATTEMPTS = 12;

/** The embeddings API of the cell: its own base URL and key when set, else the LLM's; null without any key. */
export function embedderFromConfig(config: Config): EmbedderPort | null {
  const apiKey = config.embeddingApiKey ?? config.openaiApiKey;
  if (!apiKey) return null;
  return new OpenAiEmbedder({ apiKey, baseURL: config.embeddingBaseUrl ?? config.openaiBaseUrl, model: config.embeddingModel });
}

/** The knowledge a turn gets, as the cell is configured (budget, tokenizer of the chat model, embeddings). */
export function knowledgeSearchFromConfig(db: Db, config: Config, embedder: EmbedderPort | null = embedderFromConfig(config), queue?: Pick<Queue, 'enqueue'>): KnowledgeSearch {
  return new KnowledgeSearch(db, {
    budgetTokens: config.knowledgeBudgetTokens, encoding: encodingFor(config.llmModel), embedder, embedTimeoutMs: config.embeddingTimeoutMs,
    // A turn beyond the budget that finds no vector of the configured model (a changed model, a lowered budget) asks
    // for the tenant's embed job; that turn and the next ones use words alone until it is done.
    ...(queue ? { requestEmbedding: (tenantId: number) => enqueueEmbedding(queue, tenantId) } : {}),
  });
}

/** Enqueues the tenant's embed job (in the caller's transaction, next to the chunks it is about). */
export function enqueueEmbedding(queue: Pick<Queue, 'enqueue'>, tenantId: number): void {
  queue.enqueue({ kind: KNOWLEDGE_JOB.embed, tenantId, payload: {}, uniqueKey: embedKey(tenantId), concurrencyKey: embedKey(tenantId), maxAttempts: EMBED_ATTEMPTS });
}

export interface KnowledgeJobs {
  /** Embeds a tenant's chunks that lack vectors of the configured model, batch by batch (resumable). */
  embed: JobHandler;
}

/**
 * The knowledge base's job handlers (src/worker/job-table.ts says how they run). A tenant's chunks are embedded only
 * when its knowledge is beyond its budget: within it every turn gets all of it and vectors would never be read (a
 * cell of 10,000 small tenants must not embed 500,000 chunks at its first start).
 */
export function knowledgeJobs(db: Db, config: Config, deps: { embedder: EmbedderPort | null }): KnowledgeJobs {
  const { embedder } = deps;
  const vectors = new VectorStore(db);
  const embed: JobHandler = async (job, ctx) => {
    // Imports always enqueue the job (the CLI may run without the API key); without embeddings there is nothing to do.
    if (!embedder) return ctx.logger.debug({ tenantId: job.tenantId }, 'no embeddings API configured: knowledge not embedded');
    const tenantId = Number(job.tenantId);
    if (knowledgeSearchFromConfig(db, config, embedder).stats(tenantId).mode === 'whole') {
      return ctx.logger.debug({ tenantId }, 'knowledge within its budget: every turn gets all of it, nothing to embed');
    }
    const progress = await embedTenant(tenantId, { vectors, embedder, transaction: (fn) => db.transaction(fn).immediate(), clock: Date.now, requestTimeoutMs: 30_000 }, ctx.signal);
    ctx.logger.info({ tenantId, model: embedder.model, ...progress }, 'knowledge embedded');
  };
  return { embed };
}

/** Retry policy of the embed job: an outage of the embeddings API of up to about an hour is waited out. */
export const EMBED_POLICY = { maxAttempts: EMBED_ATTEMPTS, baseDelayMs: 2000, maxDelayMs: 10 * 60_000, timeoutMs: 15 * 60_000 };
