import { normalizeText, termForms, type QueryTerm } from './normalize.js';

/** Like unicode61's remove_diacritics for the letters our texts hold (й → и), so highlights agree with the index. */
function fold(word: string): string {
  return normalizeText(word).normalize('NFD').replace(/\p{M}/gu, '');
}

/** A predicate telling whether an original word is one the search terms matched. */
export function termMatcher(terms: readonly QueryTerm[]): (word: string) => boolean {
  const exact = new Set(terms.filter((t) => t.match !== 'prefix').flatMap(termForms).map(fold));
  const prefixes = terms.filter((t) => t.match === 'prefix').map((t) => fold(t.stem));
  return (word) => {
    const folded = fold(word);
    return exact.has(folded) || prefixes.some((p) => folded.startsWith(p));
  };
}

/**
 * A one-line excerpt of a chunk's original text around the first word the terms matched, matched words in
 * [brackets], at most about `maxChars` long. The index holds only normalised text, so the excerpt is cut here.
 */
export function makeSnippet(text: string, terms: readonly QueryTerm[], maxChars = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const isMatch = termMatcher(terms);
  const words = [...flat.matchAll(/[\p{L}\p{N}\p{M}]+/gu)];
  const first = words.find((w) => isMatch(w[0]));
  let start = 0;
  if (first && first.index > maxChars / 3) {
    // Start at a word boundary about a third of the window before the first match.
    const space = flat.indexOf(' ', first.index - Math.floor(maxChars / 3));
    start = space >= 0 && space < first.index ? space + 1 : first.index;
  }
  let end = Math.min(flat.length, start + maxChars);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  const window = flat.slice(start, end);
  const marked = window.replace(/[\p{L}\p{N}\p{M}]+/gu, (word) => (isMatch(word) ? `[${word}]` : word));
  return `${start > 0 ? '…' : ''}${marked}${end < flat.length ? '…' : ''}`;
}
