import OpenAI from 'openai';

/** Texts to vectors through an OpenAI-compatible `/embeddings` API (PROTOCOLS.md §3c). */
export interface EmbedderPort {
  readonly model: string;
  /** One normalised vector per text, in order, and the tokens the provider billed. Throws EmbeddingError. */
  embed(texts: readonly string[], options: { signal?: AbortSignal; timeoutMs: number }): Promise<{ vectors: Float32Array[]; tokens: number }>;
}

export type EmbeddingFailure = 'timeout' | 'rate_limited' | 'server' | 'network' | 'auth' | 'bad_request';

export class EmbeddingError extends Error {
  readonly failure: EmbeddingFailure;
  readonly retryAfterMs: number | undefined;
  /** Read by the job runner: a wrong key or model does not clear by retrying. */
  readonly retryable: boolean;
  constructor(failure: EmbeddingFailure, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'EmbeddingError';
    this.failure = failure;
    this.retryable = failure !== 'auth' && failure !== 'bad_request';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Inputs per request: the API takes up to 2,048; smaller batches keep one failure's loss and one request's time small. */
export const EMBED_BATCH = 64;

/** EmbedderPort over the official `openai` client; one attempt per call (the job queue and the turn decide retries). */
export class OpenAiEmbedder implements EmbedderPort {
  private readonly client: OpenAI;
  constructor(private readonly options: { apiKey: string; baseURL: string; model: string }) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  }

  get model(): string {
    return this.options.model;
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal; timeoutMs: number }): Promise<{ vectors: Float32Array[]; tokens: number }> {
    if (texts.length === 0) return { vectors: [], tokens: 0 };
    try {
      const result = await this.client.embeddings.create({ model: this.model, input: [...texts] }, { timeout: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      const vectors: Float32Array[] = new Array(texts.length);
      for (const item of result.data) vectors[item.index] = normalise(Float32Array.from(item.embedding));
      if (vectors.some((v) => v === undefined)) throw new EmbeddingError('server', `the embeddings API answered ${result.data.length} vectors for ${texts.length} texts`);
      return { vectors, tokens: result.usage?.prompt_tokens ?? 0 };
    } catch (err) {
      throw toEmbeddingError(err, options.signal);
    }
  }
}

/** Unit length, so cosine similarity is a dot product (OpenAI's vectors already are; other providers' may not be). */
export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0 && Math.abs(norm - 1) > 1e-6) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

function toEmbeddingError(err: unknown, signal: AbortSignal | undefined): unknown {
  if (err instanceof EmbeddingError) return err;
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new EmbeddingError('timeout', 'the embeddings API did not answer in time');
  if (err instanceof OpenAI.APIConnectionError) return new EmbeddingError('network', `the embeddings API could not be reached: ${err.message}`);
  if (err instanceof OpenAI.RateLimitError) {
    const retryAfter = Number(err.headers?.get?.('retry-after'));
    return new EmbeddingError('rate_limited', `the embeddings API rate-limited us (429): ${err.message}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
  }
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return new EmbeddingError('auth', `the embeddings API refused our key (${err.status}): check BOTCTL_EMBEDDING_API_KEY or OPENAI_API_KEY`);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status >= 500 || status === 408 || status === 409) return new EmbeddingError('server', `the embeddings API failed (${status}): ${err.message}`);
    return new EmbeddingError('bad_request', `the embeddings API rejected the request (${status}): ${err.message}; check BOTCTL_EMBEDDING_MODEL`);
  }
  return new EmbeddingError('network', `the embeddings call failed: ${err instanceof Error ? err.message : String(err)}`);
}
