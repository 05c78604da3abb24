/**
 * Fuzzy matching over a tenant's own vocabulary (the words its index holds), for typos and colloquial forms the
 * stemmer cannot reach ("чиска" → чистка, "кондёр" → кондиционер): trigram similarity as PostgreSQL's pg_trgm
 * computes it, |A ∩ B| / |A ∪ B| over the sets of three-letter pieces of the words padded with two spaces in front
 * and one behind. No synonym list: a word can only become a word the tenant's knowledge already holds.
 */

/** pg_trgm's default `similarity_threshold`. */
export const MIN_SIMILARITY = 0.3;
/** Shorter words have too few trigrams for a similarity to mean anything. */
const MIN_WORD = 4;

export function trigrams(word: string): Set<string> {
  const padded = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

export function similarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

/** A tenant's vocabulary with an inverted trigram index, built once per knowledge version. */
export class TrigramVocabulary {
  private readonly words: string[];
  private readonly sizes: number[];
  private readonly postings = new Map<string, number[]>();

  constructor(words: Iterable<string>) {
    this.words = [...new Set(words)].filter((w) => w.length >= MIN_WORD && !/\d/.test(w));
    this.sizes = this.words.map((word, index) => {
      const set = trigrams(word);
      for (const t of set) {
        const list = this.postings.get(t);
        if (list) list.push(index);
        else this.postings.set(t, [index]);
      }
      return set.size;
    });
  }

  get size(): number {
    return this.words.length;
  }

  /** The vocabulary's words most similar to `word` (at least `min`), best first, at most `limit`. */
  similar(word: string, limit = 3, min = MIN_SIMILARITY): { word: string; similarity: number }[] {
    if (word.length < MIN_WORD || /\d/.test(word)) return [];
    const query = trigrams(word);
    const shared = new Map<number, number>();
    for (const t of query) for (const index of this.postings.get(t) ?? []) shared.set(index, (shared.get(index) ?? 0) + 1);
    const out: { word: string; similarity: number }[] = [];
    for (const [index, n] of shared) {
      const sim = n / (query.size + this.sizes[index]! - n);
      if (sim >= min && this.words[index] !== word) out.push({ word: this.words[index]!, similarity: sim });
    }
    out.sort((a, b) => b.similarity - a.similarity || a.word.localeCompare(b.word));
    return out.slice(0, limit);
  }
}
