import OpenAI, { BadRequestError, InternalServerError, RateLimitError } from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { OpenAiEmbedder } from '../../../src/knowledge/embeddings/embedder.js';
import { simulatedEmbedding, startOpenAISimulator, type OpenAISimulator } from '../../fakes/openai.js';

const KEY = 'sk-test-embeddings-0123456789';
let sim: OpenAISimulator;
afterEach(async () => sim?.close());

async function start() {
  sim = await startOpenAISimulator({ apiKey: KEY });
  return new OpenAI({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);

describe('the simulator\'s /v1/embeddings on the real wire format', () => {
  test('the SDK\'s default (base64) and float answers decode to the same unit vectors, one per input, in order', async () => {
    const client = await start();
    const b64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['чистка зубов', 'адрес клиники'] });
    const float = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['чистка зубов', 'адрес клиники'], encoding_format: 'float' });
    expect(b64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(b64.data[0]!.embedding).toHaveLength(1536);
    expect(Array.from(b64.data[1]!.embedding)).toEqual(float.data[1]!.embedding.map((x) => Math.fround(x)));
    expect(dot(float.data[0]!.embedding, float.data[0]!.embedding)).toBeCloseTo(1, 5);
    expect(b64.usage.prompt_tokens).toBeGreaterThan(0);
    expect(sim.embeddingRequests.map((r) => [r.model, r.inputs.length, r.encodingFormat])).toEqual([['text-embedding-3-small', 2, 'base64'], ['text-embedding-3-small', 2, 'float']]);
    const large = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x y z', dimensions: 256, encoding_format: 'float' });
    expect(large.data[0]!.embedding).toHaveLength(256);
  });

  test('a general function of the spelling: a typo stays close, other words do not, and meaning does not count', () => {
    const v = (t: string) => simulatedEmbedding(t, 512);
    expect(dot(v('чистка зубов'), v('чиска зубов'))).toBeGreaterThan(0.6);
    expect(dot(v('чистка зубов'), v('адрес клиники'))).toBeLessThan(0.2);
    // Same meaning, no shared spelling: the simulator cannot know (what its figures do not prove).
    expect(dot(v('Во сколько вы открываетесь?'), v('Часы работы'))).toBeLessThan(0.2);
    expect(Array.from(v('Қашан'))).toEqual(Array.from(v('кашан')));
  });

  test('failures as the real API gives them: 429 with retry-after, 500, a hang, bad input', async () => {
    const client = await start();
    sim.enqueueEmbedding({ status: 429, retryAfterSeconds: 3 }, { status: 500 });
    const limited = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).headers?.get('retry-after')).toBe('3');
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'a' })).rejects.toBeInstanceOf(InternalServerError);
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: [] })).rejects.toBeInstanceOf(BadRequestError);
    sim.failEmbeddings({ hang: true });
    const embedder = new OpenAiEmbedder({ apiKey: KEY, baseURL: sim.url, model: 'text-embedding-3-small' });
    await expect(embedder.embed(['a'], { timeoutMs: 200 })).rejects.toMatchObject({ name: 'EmbeddingError', failure: 'timeout', retryable: true });
    sim.failEmbeddings({ status: 429, retryAfterSeconds: 2 });
    await expect(embedder.embed(['a'], { timeoutMs: 1000 })).rejects.toMatchObject({ failure: 'rate_limited', retryAfterMs: 2000 });
    sim.failEmbeddings(null);
    const ok = await embedder.embed(['a', 'b'], { timeoutMs: 1000 });
    expect(ok.vectors).toHaveLength(2);
    expect(ok.vectors[0]).toBeInstanceOf(Float32Array);
    const wrongKey = new OpenAiEmbedder({ apiKey: 'sk-wrong-0123456789abcdef', baseURL: sim.url, model: 'text-embedding-3-small' });
    await expect(wrongKey.embed(['a'], { timeoutMs: 1000 })).rejects.toMatchObject({ failure: 'auth', retryable: false, message: expect.stringContaining('BOTCTL_EMBEDDING_API_KEY') });
  });
});
