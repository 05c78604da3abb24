import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { buildMatchQuery, indexBody, MAX_QUERY_TERMS, narrowForms, normalizeText, queryTerms, stemTerm, tenantPrefix, termForms, type QueryTerm } from '../../../src/knowledge/normalize.js';

describe('normalizeText', () => {
  test('folds ё to е and case', () => {
    expect(normalizeText('Ёлка ЁЖИК всё')).toBe('елка ежик все');
  });

  test('maps every Kazakh letter to its base letter, in both cases', () => {
    expect(normalizeText('ә ғ қ ң ө ұ ү һ і')).toBe('а г к н о у у х и');
    expect(normalizeText('Ә Ғ Қ Ң Ө Ұ Ү Һ І')).toBe('а г к н о у у х и');
    expect(normalizeText('Қызметтер, үй, тұрғын')).toBe('кызметтер уй тургын');
  });

  test('turns punctuation into single spaces and trims', () => {
    expect(normalizeText('  Привет,мир!!!  (тест) — «цены»…\n\tэто?  ')).toBe('привет мир тест цены это');
    expect(normalizeText('tenant_key:t1 "OR" *NEAR*')).toBe('tenant key t1 or near');
  });

  test('applies NFKC so look-alike forms index the same', () => {
    expect(normalizeText('ﬁle ＡＢＣ １２')).toBe('file abc 12');
  });

  test('joins thousands groups so "15 000 ₸" and "15000" are one token', () => {
    expect(normalizeText('15 000 ₸')).toBe('15000');
    expect(normalizeText('1\u00a0500\u202f000 тг')).toBe('1500000 тг');
    expect(normalizeText('с 09:00 до 19:00')).toBe('с 09 00 до 19 00');
    expect(normalizeText('в 2 этажа')).toBe('в 2 этажа');
  });
});

describe('queryTerms', () => {
  test('drops ru, kk and en stop words but keeps question words', () => {
    expect(queryTerms('Здравствуйте! Сколько стоит чистка и отбеливание?').map((t) => t.word)).toEqual(['сколько', 'стоит', 'чистка', 'отбеливание']);
    expect(queryTerms('Сәлеметсіз бе, сіз қайда орналасқансыз?').map((t) => t.word)).toEqual(['кайда', 'орналаскансыз']);
    expect(queryTerms('Where is the clinic and how do I get there?').map((t) => t.word)).toEqual(['where', 'clinic', 'how', 'get']);
    expect(queryTerms('и в на, the and')).toEqual([]);
  });

  test('Russian word forms share a stem that prefixes each of them', () => {
    const forms = ['чистка', 'чистку', 'чистки', 'чисткой'];
    for (const form of forms) {
      const term = stemTerm(form);
      expect(term.match).toBe('prefix');
      expect(term.stem.length).toBeGreaterThanOrEqual(4);
      for (const other of forms) expect(other.startsWith(term.stem), `${term.stem}* should match ${other}`).toBe(true);
    }
    expect(stemTerm('профессиональная')).toEqual({ word: 'профессиональная', stem: 'профессиональн', match: 'prefix' });
  });

  test('Kazakh stacked suffixes come off: қызметтері → кызмет*', () => {
    const [term] = queryTerms('қызметтері');
    expect(term).toEqual({ word: 'кызметтери', stem: 'кызмет', match: 'prefix' });
  });

  test('a 3-letter stem is searched as exact forms, not as a prefix that would match центр', () => {
    const term = stemTerm('цены');
    expect(term).toEqual({ word: 'цены', stem: 'цен', match: 'forms' });
    const forms = termForms(term);
    expect(forms).toEqual(expect.arrayContaining(['цен', 'цена', 'цены', 'цену', 'ценой', 'ценами']));
    expect(forms).not.toContain('центр');
    expect(termForms(stemTerm('зубов'))).toEqual(expect.arrayContaining(['зуб', 'зубы', 'зубов', 'зубами']));
  });

  test('two-letter Kazakh roots get their case forms; numbers and short Latin words are exact', () => {
    const home = queryTerms('үй')[0]!;
    expect(home).toMatchObject({ stem: 'уй', match: 'forms' });
    expect(termForms(home)).toEqual(expect.arrayContaining(['уй', 'уйге', 'уйде']));
    expect(stemTerm('15000')).toEqual({ word: '15000', stem: '15000', match: 'exact' });
    expect(stemTerm('3d')).toMatchObject({ match: 'exact' });
    expect(stemTerm('ok')).toMatchObject({ match: 'exact' });
  });

  test('English gets a light stem: cleaning → clean*', () => {
    expect(stemTerm('cleaning')).toEqual({ word: 'cleaning', stem: 'clean', match: 'prefix' });
  });

  test('repeated words count once and a long question is capped', () => {
    expect(queryTerms('чистка чистка ЧИСТКА')).toHaveLength(1);
    const long = Array.from({ length: 40 }, (_, i) => `слово${i}`).join(' ');
    expect(queryTerms(long)).toHaveLength(MAX_QUERY_TERMS);
  });
});

describe('indexBody', () => {
  test('is the normalised text with every word folded with the tenant', () => {
    expect(indexBody(42, 'Чистка зубов — 15 000 ₸, Қызмет!')).toBe('t42xчистка t42xзубов t42x15000 t42xкызмет');
    expect(indexBody(7, '— … ₸')).toBe('');
    expect(() => indexBody(0, 'чистка')).toThrow(/tenant id/);
  });
});

describe('buildMatchQuery', () => {
  test('ORs quoted terms, each folded with the tenant', () => {
    expect(buildMatchQuery(42, queryTerms('чистку 15 000'))).toBe('"t42xчистк"* OR "t42x15000"');
    const forms = buildMatchQuery(42, queryTerms('цены')).split(' OR ');
    expect(forms).toEqual(expect.arrayContaining(['"t42xцен"', '"t42xцена"', '"t42xцены"', '"t42xценой"']));
    expect(forms.every((f) => f.startsWith('"t42x'))).toBe(true);
  });

  test('refuses an empty term list and a malformed tenant id instead of matching everything', () => {
    expect(() => buildMatchQuery(42, [])).toThrow(/no terms/);
    expect(() => buildMatchQuery(0, queryTerms('чистка'))).toThrow(/tenant id/);
    expect(() => buildMatchQuery(1.5, queryTerms('чистка'))).toThrow(/tenant id/);
    expect(() => tenantPrefix(-3)).toThrow(/tenant id/);
  });

  /** An index like kb_terms (0009), in memory, with rows written by indexBody. */
  function index(rows: [rowid: number, tenantId: number, text: string][]) {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE kb_terms USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')");
    const insert = db.prepare('INSERT INTO kb_terms (rowid, body) VALUES (?, ?)');
    for (const [rowid, tenantId, text] of rows) insert.run(rowid, indexBody(tenantId, text));
    const search = (match: string) => (db.prepare('SELECT rowid FROM kb_terms WHERE kb_terms MATCH ? ORDER BY rowid').all(match) as { rowid: number }[]).map((r) => r.rowid);
    return { db, search };
  }

  test('user text cannot inject FTS5 syntax: it stays a quoted literal in a real FTS5 index', () => {
    const { db, search } = index([[1, 1, 'секретная цена другого бизнеса tenant key t1xсекретная'], [2, 42, 'чистка зубов']]);

    // Pure syntax leaves no term at all: the service then returns no results without querying.
    expect(queryTerms('* " ( ) : ^ - +')).toEqual([]);
    for (const attack of ['" OR t1xсекретная', 't1xсекретная', '"t1xсекретная"*', 'NEAR(секретная цена)', '") OR ("секретная', 'body:секретная OR "t1x"* OR "']) {
      const match = buildMatchQuery(42, queryTerms(attack));
      expect(match.split(' OR ').every((alternative) => alternative.startsWith('"t42x')), match).toBe(true);
      expect(search(match), attack).not.toContain(1);
    }
    // Even a term that bypassed normalisation is one literal: its quote is doubled, not closing the string.
    const forged: QueryTerm = { word: 'x', stem: 'a" OR t1xсекретная OR "b', match: 'exact' };
    const match = buildMatchQuery(42, [forged]);
    expect(match).toBe('"t42xa"" OR t1xсекретная OR ""b"');
    expect(search(match)).toEqual([]);
    expect(search(buildMatchQuery(42, queryTerms('чистку')))).toEqual([2]);
    db.close();
  });

  test("a tenant's terms never match another tenant's rows, even one whose id begins with the same digits", () => {
    const { db, search } = index([[1, 4, 'чистка зубов цена'], [2, 42, 'чистка зубов цена'], [3, 442, 'чистка зубов цена'], [4, 44, 'чистка']]);
    for (const query of ['чистка', 'чистк', 'цена', 'зуб', 'цены зубы чистку']) {
      expect(search(buildMatchQuery(4, queryTerms(query))), query).toEqual([1]);
      expect(search(buildMatchQuery(42, queryTerms(query))), query).toEqual([2]);
      expect(search(buildMatchQuery(442, queryTerms(query))), query).toEqual([3]);
    }
    expect(search(`"${tenantPrefix(4)}"*`)).toEqual([1]);
    db.close();
  });
});

describe('narrowForms', () => {
  const vocabulary = ['цена', 'ценой', 'центр', 'центре', 'уйге'];
  const indexedWords = (stem: string) => vocabulary.filter((w) => w.startsWith(stem));

  test('keeps of a forms term only the forms the tenant holds, as exact terms; never a word outside its forms', () => {
    const narrowed = narrowForms(queryTerms('цены'), indexedWords);
    expect(narrowed).toHaveLength(2);
    expect(narrowed).toEqual(expect.arrayContaining([{ word: 'цены', stem: 'цена', match: 'exact' }, { word: 'цены', stem: 'ценой', match: 'exact' }]));
    expect(narrowForms(queryTerms('үй'), indexedWords)).toEqual([{ word: 'уй', stem: 'уйге', match: 'exact' }]);
  });

  test('leaves prefix and exact terms alone, and drops a forms term the tenant has no form of', () => {
    const terms = queryTerms('чистку 15 000 дом');
    expect(terms.map((t) => t.match)).toEqual(['prefix', 'exact', 'forms']);
    expect(narrowForms(terms, indexedWords)).toEqual(terms.slice(0, 2));
  });

  test('keeps every form of a word the tokenizer would fold (a Latin diacritic), rather than miss it', () => {
    const [term] = queryTerms('été');
    expect(term).toMatchObject({ stem: 'été', match: 'forms' });
    expect(narrowForms([term!], () => [])).toEqual([term]);
  });
});
