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
export function knowledgeSearchFromConfig(db: Db, config: Config, embedder: EmbedderPort | null = embedderFromConfig(config)): KnowledgeSearch {
  return new KnowledgeSearch(db, {
    budgetTokens: config.knowledgeBudgetTokens, encoding: encodingFor(config.llmModel), embedder, embedTimeoutMs: config.embeddingTimeoutMs,
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
 * The knowledge base's job handlers (src/worker/job-table.ts says how they run). Also enqueues an embed job for
 * every tenant whose chunks lack vectors of the configured model: knowledge imported while no embeddings were
 * configured, or a changed BOTCTL_EMBEDDING_MODEL.
 */
export function knowledgeJobs(db: Db, deps: { queue: Queue; embedder: EmbedderPort | null }): KnowledgeJobs {
  const { queue, embedder } = deps;
  const vectors = new VectorStore(db);
  const embed: JobHandler = async (job, ctx) => {
    // Imports always enqueue the job (the CLI may run without the API key); without embeddings there is nothing to do.
    if (!embedder) return ctx.logger.debug({ tenantId: job.tenantId }, 'no embeddings API configured: knowledge not embedded');
    const progress = await embedTenant(Number(job.tenantId), { vectors, embedder, transaction: (fn) => db.transaction(fn).immediate(), clock: Date.now, requestTimeoutMs: 30_000 }, ctx.signal);
    ctx.logger.info({ tenantId: job.tenantId, model: embedder.model, ...progress }, 'knowledge embedded');
  };
  if (embedder) for (const tenantId of vectors.tenantsMissing(embedder.model)) enqueueEmbedding(queue, tenantId);
  return { embed };
}

/** Retry policy of the embed job: an outage of the embeddings API of up to about an hour is waited out. */
export const EMBED_POLICY = { maxAttempts: EMBED_ATTEMPTS, baseDelayMs: 2000, maxDelayMs: 10 * 60_000, timeoutMs: 15 * 60_000 };
