import { describe, expect, test } from 'vitest';
import { queryTerms } from '../../../src/knowledge/normalize.js';
import { rankByTenantBm25, rankTerms } from '../../../src/knowledge/rank.js';

const SERVICES = ['курс английского', 'курс казахского', 'пробный урок', 'разговорный клуб', 'индивидуальное занятие'];
const faq = (name: string, price: number) => ({ id: `faq:${name}`, text: `Сколько стоит ${name}?\nСтоимость ${name} ${price} тенге.` });
const section = (name: string) => ({
  id: `section:${name}`,
  text: `Языковая школа › ${name}\nСтоимость ${name} — 51000 тенге. Занятия в группах по шесть человек, учебники входят в стоимость, `
    + 'первое занятие проходит с методистом, который определяет уровень и подбирает группу по расписанию.',
});

describe('ranking a tenant\'s candidates by BM25 over that tenant alone', () => {
  test('the section naming what was asked outranks FAQs about other services that share only the price words', () => {
    const candidates = [...SERVICES.map((s, i) => faq(s, 40_000 + i * 1000)), ...SERVICES.map(section)];
    const ranked = rankByTenantBm25(candidates, rankTerms(queryTerms('Курс казахского сколько стоит?')), 50).map((c) => c.id);
    expect(ranked[0]).toBe('faq:курс казахского');
    // With the cell's statistics every word of a tenant looked equally rare, and these three short FAQs (sharing
    // only «сколько стоит») pushed the section out of the five snippets the LLM gets.
    for (const other of ['faq:пробный урок', 'faq:разговорный клуб', 'faq:индивидуальное занятие']) {
      expect(ranked.indexOf('section:курс казахского')).toBeLessThan(ranked.indexOf(other));
    }
    expect(ranked.slice(0, 5)).toContain('section:курс казахского');
  });

  test('a word every candidate holds weighs less than a word one candidate holds', () => {
    const candidates = [
      { id: 'common', text: 'цена цена цена доставка' },
      { id: 'rare', text: 'цена имплантация' },
      { id: 'other', text: 'цена гарантия' },
    ];
    const ranked = rankByTenantBm25(candidates, rankTerms(queryTerms('цена имплантация')), 3);
    expect(ranked[0]!.id).toBe('rare');
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  test('word forms and prefixes count as the word the customer wrote, once per word', () => {
    const terms = rankTerms(queryTerms('чистку зубов'));
    expect(terms.map((t) => t.word)).toEqual(['чистку', 'зубов']);
    const ranked = rankByTenantBm25([{ id: 'a', text: 'Чистка зубов' }, { id: 'b', text: 'Отбеливание' }], terms, 10);
    expect(ranked.map((c) => c.id)).toEqual(['a', 'b']);
    expect(ranked[1]!.score).toBe(0);
  });

  test('equal scores keep the candidates\' order, and no terms or no candidates rank nothing', () => {
    const same = [{ id: 'x', text: 'парковка есть' }, { id: 'y', text: 'парковка есть' }];
    expect(rankByTenantBm25(same, rankTerms(queryTerms('парковка')), 2).map((c) => c.id)).toEqual(['x', 'y']);
    expect(rankByTenantBm25([], rankTerms(queryTerms('парковка')), 2)).toEqual([]);
    expect(rankByTenantBm25(same, [], 2).map((c) => c.score)).toEqual([0, 0]);
  });
});
