import type { VectorStore } from '../../storage/vector-store.js';
import { EMBED_BATCH, type EmbedderPort } from './embedder.js';

export interface EmbedJobDeps {
  vectors: VectorStore;
  embedder: EmbedderPort;
  transaction: (fn: () => void) => void;
  clock: () => number;
  /** One embeddings request may take this long. */
  requestTimeoutMs: number;
}

export interface EmbedProgress {
  embedded: number;
  tokens: number;
  batches: number;
}

/**
 * Embeds every chunk of the tenant that has no vector of the configured model, EMBED_BATCH at a time, each batch
 * committed on its own: a crash, a timeout or a 429 loses at most the batch in flight, and the retry (or the next
 * run) starts with what is still missing. A model change is the same case: no chunk has a vector of the new model.
 * Once every chunk has one, vectors of other models are dropped.
 */
export async function embedTenant(tenantId: number, deps: EmbedJobDeps, signal: AbortSignal): Promise<EmbedProgress> {
  const progress: EmbedProgress = { embedded: 0, tokens: 0, batches: 0 };
  const model = deps.embedder.model;
  for (;;) {
    const batch = deps.vectors.missing(tenantId, model, EMBED_BATCH);
    if (batch.length === 0) break;
    const { vectors, tokens } = await deps.embedder.embed(batch.map((c) => c.text), { signal, timeoutMs: deps.requestTimeoutMs });
    deps.transaction(() => deps.vectors.write(tenantId, model, batch.map((c, i) => ({ chunkId: c.chunkId, vector: vectors[i]! })), deps.clock()));
    progress.embedded += batch.length;
    progress.tokens += tokens;
    progress.batches++;
  }
  deps.transaction(() => deps.vectors.dropOtherModels(tenantId, model));
  return progress;
}
