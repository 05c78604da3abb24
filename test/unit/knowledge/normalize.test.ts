import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { buildMatchQuery, MAX_QUERY_TERMS, normalizeText, queryTerms, stemTerm, termForms, type QueryTerm } from '../../../src/knowledge/normalize.js';

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

describe('buildMatchQuery', () => {
  test('ANDs the tenant token with the OR of quoted terms restricted to the body column', () => {
    expect(buildMatchQuery(42, queryTerms('чистку 15 000'))).toBe('tenant_key:t42 AND body:("чистк"* OR "15000")');
  });

  test('refuses an empty term list and a malformed tenant id instead of matching everything', () => {
    expect(() => buildMatchQuery(42, [])).toThrow(/no terms/);
    expect(() => buildMatchQuery(0, queryTerms('чистка'))).toThrow(/tenant id/);
    expect(() => buildMatchQuery(1.5, queryTerms('чистка'))).toThrow(/tenant id/);
  });

  test('user text cannot inject FTS5 syntax: it stays a quoted literal in a real FTS5 index', () => {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE kb_fts USING fts5(tenant_key, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')");
    const insert = db.prepare('INSERT INTO kb_fts (rowid, tenant_key, body) VALUES (?, ?, ?)');
    insert.run(1, 't1', normalizeText('секретная цена другого бизнеса tenant key'));
    insert.run(2, 't42', normalizeText('чистка зубов'));
    const search = (match: string) => (db.prepare('SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?').all(match) as { rowid: number }[]).map((r) => r.rowid);

    // Pure syntax leaves no term at all: the service then returns no results without querying.
    expect(queryTerms('* " ( ) : ^ - +')).toEqual([]);
    for (const attack of ['" OR tenant_key:t1', 'tenant_key:t1', 'NEAR(секретная цена)', '") OR ("секретная', 'body:секретная OR tenant_key:t1 OR "']) {
      const match = buildMatchQuery(42, queryTerms(attack));
      expect(match.match(/tenant_key:/g), match).toHaveLength(1);
      expect(search(match), attack).not.toContain(1);
    }
    // Even a term that bypassed normalisation is one literal: its quote is doubled, not closing the string.
    const forged: QueryTerm = { word: 'x', stem: 'a" OR tenant_key:t1 OR "b', match: 'exact' };
    const match = buildMatchQuery(42, [forged]);
    expect(match).toBe('tenant_key:t42 AND body:("a"" OR tenant_key:t1 OR ""b")');
    expect(search(match)).toEqual([]);
    expect(search(buildMatchQuery(42, queryTerms('чистку')))).toEqual([2]);
    db.close();
  });
});
