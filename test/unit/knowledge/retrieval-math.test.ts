import { describe, expect, test } from 'vitest';
import { nearest } from '../../../src/knowledge/embeddings/cosine.js';
import { normalise } from '../../../src/knowledge/embeddings/embedder.js';
import { fuseRankings, RRF_K } from '../../../src/knowledge/embeddings/rrf.js';
import { DEFAULT_PRICES, parsePriceOverrides, priceOf } from '../../../src/knowledge/prices.js';
import { countMessageTokens, countTokens, encodingFor } from '../../../src/knowledge/tokens.js';

describe('reciprocal rank fusion', () => {
  test('an item high in both rankings wins; scores are sums of 1/(k + rank)', () => {
    const fused = fuseRankings([[1, 2, 3], [3, 1, 4]]);
    expect(fused.map((f) => f.id)).toEqual([1, 3, 2, 4]);
    expect(fused[0]!.score).toBeCloseTo(1 / (RRF_K + 1) + 1 / (RRF_K + 2), 10);
    expect(fused.at(-1)!.score).toBeCloseTo(1 / (RRF_K + 3), 10);
  });

  test('one empty ranking leaves the other as it was', () => {
    expect(fuseRankings([[7, 5, 9], []]).map((f) => f.id)).toEqual([7, 5, 9]);
  });
});

describe('cosine over normalised vectors', () => {
  test('the most similar first; vectors of other dimensions are skipped', () => {
    const q = normalise(Float32Array.from([1, 1, 0]));
    const hits = nearest(q, [
      { chunkId: 1, vector: normalise(Float32Array.from([0, 0, 1])) },
      { chunkId: 2, vector: normalise(Float32Array.from([1, 0.9, 0])) },
      { chunkId: 3, vector: normalise(Float32Array.from([1, 0, 0])) },
      { chunkId: 4, vector: normalise(Float32Array.from([1, 1])) },
    ], 2);
    expect(hits.map((h) => h.chunkId)).toEqual([2, 3]);
    expect(hits[0]!.score).toBeGreaterThan(0.99);
  });
});

describe('tokens and prices', () => {
  test('the encoding follows the model family', () => {
    expect(encodingFor('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingFor('gpt-4.1-nano')).toBe('o200k_base');
    expect(encodingFor('openai/gpt-5-mini')).toBe('o200k_base');
    expect(encodingFor('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingFor('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(encodingFor('llama-3.1-70b')).toBe('o200k_base');
  });

  test('a real BPE count, not characters / 4; the encodings differ on Cyrillic', () => {
    expect(countTokens('hello world', 'o200k_base')).toBe(2);
    expect(countTokens('', 'cl100k_base')).toBe(0);
    const ru = 'Профессиональная чистка зубов стоит 15 000 ₸.';
    expect(countTokens(ru, 'o200k_base')).toBeLessThan(countTokens(ru, 'cl100k_base'));
    expect(countMessageTokens([{ content: 'hello world' }, { content: 'hello world' }], 'o200k_base')).toBe(3 + 2 * (3 + 2));
  });

  test('list prices, a dated snapshot priced as its model, overrides from BOTCTL_LLM_PRICES', () => {
    expect(priceOf('gpt-4o-mini')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceOf('my-local-model')).toBeNull();
    const overrides = parsePriceOverrides('gpt-4o-mini=0.2/0.1/0.8,my-local-model=0/0/0');
    expect(priceOf('gpt-4o-mini', overrides)).toEqual({ input: 0.2, cached: 0.1, output: 0.8 });
    expect(priceOf('my-local-model', overrides)).toEqual({ input: 0, cached: 0, output: 0 });
  });
});
