import type { KnowledgeStore } from '../storage/knowledge-store.js';
import type { TrigramVocabulary } from './fuzzy.js';
import type { QueryTerm } from './normalize.js';

/**
 * For each word of the question that no word of the tenant's index matches (a typo, a colloquial form), the most
 * similar words of the tenant's vocabulary by trigram similarity (fuzzy.ts), as exact terms of that word.
 */
export function fuzzyTerms(store: KnowledgeStore, tenantId: number, terms: readonly QueryTerm[], narrowed: readonly QueryTerm[], vocabulary: () => TrigramVocabulary): QueryTerm[] {
  const out: QueryTerm[] = [];
  for (const term of terms) {
    if (term.match === 'exact') continue;
    const found = term.match === 'prefix' ? store.indexedWords(tenantId, term.stem).length > 0 : narrowed.some((t) => t.word === term.word);
    if (found) continue;
    for (const { word } of vocabulary().similar(term.word)) {
      // The stemming rule stands: a word sharing only a short stem is another family (цена is not центр), not a typo.
      if (term.stem.length < 4 && word.startsWith(term.stem)) continue;
      out.push({ word: term.word, stem: word, match: 'exact' });
    }
  }
  return out;
}
