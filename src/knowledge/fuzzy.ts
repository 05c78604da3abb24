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
  private readonly exact: ReadonlySet<string>;

  constructor(words: Iterable<string>) {
    this.exact = new Set(words);
    this.words = [...this.exact].filter((w) => w.length >= MIN_WORD && !/\d/.test(w));
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

  /**
   * The vocabulary's words most similar to `word` (at least `min`), best first, at most `limit`. A Cyrillic word is
   * also compared in Latin transliteration, because customers write brand and model names in Cyrillic ("туксон",
   * "октавия") that the knowledge holds in Latin (Tucson, Octavia).
   */
  similar(word: string, limit = 3, min = MIN_SIMILARITY): { word: string; similarity: number }[] {
    const latin = transliterate(word);
    const best = new Map<string, number>();
    // A short name ("рио", "киа") has too few trigrams to compare, but its exact Latin spelling is a match.
    if (latin !== word && this.exact.has(latin)) best.set(latin, 1);
    for (const form of latin === word ? [word] : [word, latin]) {
      for (const hit of this.similarTo(form, min)) best.set(hit.word, Math.max(best.get(hit.word) ?? 0, hit.similarity));
    }
    return [...best].map(([w, sim]) => ({ word: w, similarity: sim }))
      .sort((a, b) => b.similarity - a.similarity || a.word.localeCompare(b.word)).slice(0, limit);
  }

  private similarTo(word: string, min: number): { word: string; similarity: number }[] {
    if (word.length < MIN_WORD || /\d/.test(word)) return [];
    const query = trigrams(word);
    const shared = new Map<number, number>();
    for (const t of query) for (const index of this.postings.get(t) ?? []) shared.set(index, (shared.get(index) ?? 0) + 1);
    const out: { word: string; similarity: number }[] = [];
    for (const [index, n] of shared) {
      const sim = n / (query.size + this.sizes[index]! - n);
      if (sim >= min) out.push({ word: this.words[index]!, similarity: sim });
    }
    return out;
  }
}

// Russian letters (after normalizeText: ё→е, Kazakh letters folded) as Latin, the way brand names are usually spelled.
const LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o',
  п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sch', ъ: '', ы: 'y', ь: '', э: 'e',
  ю: 'yu', я: 'ya',
};

/** A Cyrillic word in Latin letters (other words unchanged). */
export function transliterate(word: string): string {
  if (!/[а-я]/.test(word)) return word;
  return [...word].map((ch) => LATIN[ch] ?? ch).join('');
}
