import { describe, expect, test } from 'vitest';
import { similarity, transliterate, trigrams, TrigramVocabulary } from '../../../src/knowledge/fuzzy.js';

describe('trigram similarity (as pg_trgm computes it)', () => {
  test('trigrams of a word padded with two spaces in front and one behind', () => {
    expect([...trigrams('кот')]).toEqual(['  к', ' ко', 'кот', 'от ']);
  });

  test.each([
    ['чистка', 'чистка', 1],
    ['чиска', 'чистка', 0.44],
    ['кондер', 'кондиционер', 0.36],
    ['стомотолог', 'стоматолог', 0.57],
    ['цена', 'почем', 0],
  ])('%s ~ %s = %s', (a, b, expected) => {
    expect(similarity(a, b)).toBeCloseTo(expected, 2);
  });

  test('Cyrillic brand names read in Latin letters', () => {
    expect(transliterate('туксон')).toBe('tukson');
    expect(transliterate('щетка')).toBe('schetka');
    expect(transliterate('camry')).toBe('camry');
  });
});

describe("a tenant's vocabulary", () => {
  const vocabulary = new TrigramVocabulary(['чистка', 'чистку', 'кондиционер', 'кондиционера', 'tucson', 'rio', 'цена', 'адрес', '15000']);

  test('a typo or a colloquial form finds the words the knowledge holds, best first', () => {
    expect(vocabulary.similar('чиска').map((h) => h.word)).toEqual(['чистка', 'чистку']);
    expect(vocabulary.similar('кондер')[0]!.word).toBe('кондиционер');
    expect(vocabulary.similar('адрисс')[0]).toEqual({ word: 'адрес', similarity: expect.closeTo(0.3, 2) });
  });

  test('Cyrillic names find their Latin spelling, short ones only exactly', () => {
    expect(vocabulary.similar('туксон')[0]!.word).toBe('tucson');
    expect(vocabulary.similar('рио')).toEqual([{ word: 'rio', similarity: 1 }]);
  });

  test('nothing for unrelated words, short words, numbers; no synonym list', () => {
    expect(vocabulary.similar('почем')).toEqual([]);
    expect(vocabulary.similar('зуб')).toEqual([]);
    expect(vocabulary.similar('15001')).toEqual([]);
  });
});
