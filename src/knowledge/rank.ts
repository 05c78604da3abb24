import { normalizeText, termForms, type QueryTerm } from './normalize.js';

/** One word of the customer's question, as it matches index words: any of its exact forms, or a prefix. */
export interface RankTerm {
  word: string;
  forms: ReadonlySet<string>;
  prefixes: readonly string[];
}

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

/**
 * The query's terms grouped per customer word (narrowForms turns one word into several exact forms; they are one
 * term for ranking, as a word is one concept however many of its forms a chunk holds).
 */
export function rankTerms(terms: readonly QueryTerm[]): RankTerm[] {
  const byWord = new Map<string, { forms: Set<string>; prefixes: string[] }>();
  for (const term of terms) {
    const group = byWord.get(term.word) ?? { forms: new Set<string>(), prefixes: [] };
    if (term.match === 'prefix') group.prefixes.push(term.stem);
    else for (const form of termForms(term)) group.forms.add(form);
    byWord.set(term.word, group);
  }
  return [...byWord].map(([word, g]) => ({ word, forms: g.forms, prefixes: g.prefixes }));
}

/**
 * Orders a tenant's candidate chunks by BM25 computed over that tenant alone: N is the tenant's chunk count and a
 * word's document frequency is how many of its chunks hold the word. FTS5's own bm25() takes N and the average
 * length from the whole cell, so with tenant-scoped index words every word looks equally rare (df of a few
 * against N of 500,000) and a short chunk repeating a common word ("сколько стоит …" in every FAQ) outranks the
 * section that names what was asked. The candidates must be every chunk of the tenant that matches any term (the
 * MATCH returns them), so the document frequencies are exact; the average length is the candidates'.
 * Ties keep the candidates' order.
 */
export function rankByTenantBm25<T extends { text: string }>(candidates: readonly T[], terms: readonly RankTerm[], tenantChunks: number, wordsOf: (candidate: T) => readonly string[] = chunkWords): Array<T & { score: number }> {
  if (candidates.length === 0 || terms.length === 0) return candidates.map((c) => ({ ...c, score: 0 }));
  const docs = candidates.map(wordsOf);
  const tf = docs.map((words) => terms.map((t) => words.filter((w) => t.forms.has(w) || t.prefixes.some((p) => w.startsWith(p))).length));
  const n = Math.max(tenantChunks, candidates.length);
  const avgdl = docs.reduce((sum, words) => sum + words.length, 0) / docs.length || 1;
  const idf = terms.map((_, t) => {
    const df = tf.filter((row) => row[t]! > 0).length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  });
  const scored = candidates.map((c, i) => {
    const len = docs[i]!.length;
    let score = 0;
    tf[i]!.forEach((f, t) => {
      if (f > 0) score += idf[t]! * (f * (K1 + 1)) / (f + K1 * (1 - B + B * (len / avgdl)));
    });
    return { ...c, score, order: i };
  });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.map(({ order: _order, ...rest }) => rest as T & { score: number });
}

/** The normalised words of a chunk's text, as ranking counts them (callers may cache them per chunk). */
export function chunkWords(candidate: { text: string }): string[] {
  return normalizeText(candidate.text).split(' ').filter(Boolean);
}
