/**
 * Text normalisation shared by indexing and searching the knowledge base. SQLite's unicode61 tokenizer folds case
 * and Latin diacritics but not `ё→е` or the Kazakh letters, and has no Russian stemmer (PROTOCOLS.md §5), so both
 * sides go through `normalizeText` here and the tokenizer only ever sees letters, digits and spaces.
 *
 * The search rule (docs/decisions/0008-knowledge-search.md, 0017-tenant-scoped-index-terms.md):
 * - a token holding a digit, or of one letter, or a two-letter Latin word, is matched exactly; a two-letter
 *   Cyrillic word (Kazakh үй, су) is matched with its case forms (үй → үйге, үйде);
 * - a longer token loses its inflectional ending (Russian, Kazakh, English lists below); a stem of 4+ letters is
 *   searched as a prefix (`"чистк"*` finds чистка, чистку, чистки), a 3-letter stem as the exact stem plus each
 *   known ending (`цен` → цена, цены, цену…), because a 3-letter prefix would match whole unrelated families
 *   (цен* → центр); those forms are first narrowed to the ones the tenant's index holds (narrowForms);
 * - terms are OR-ed (bm25 ranks chunks that match more of them first), each folded with the tenant.
 *
 * The tenant is folded into every indexed word and every query term (`t42xчистка`, see indexBody and
 * docs/decisions/0017-tenant-scoped-index-terms.md): a term's postings, and a prefix's expansion, then cover one
 * tenant's chunks and vocabulary instead of the whole cell's, and no term of one tenant can match another's rows.
 */

const KAZAKH_TO_BASE: Record<string, string> = { ә: 'а', ғ: 'г', қ: 'к', ң: 'н', ө: 'о', ұ: 'у', ү: 'у', һ: 'х', і: 'и' };
const KAZAKH_LETTERS = /[әғқңөұүһі]/g;

/** NFKC, lower case, ё→е, Kazakh letters to their base letters, punctuation to spaces, one space between words. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(KAZAKH_LETTERS, (ch) => KAZAKH_TO_BASE[ch] ?? ch)
    // Prices are written "15 000 ₸" and typed "15000": a space before exactly three digits is a thousands separator.
    .replace(/(\d) (?=\d{3}(?!\d))/g, '$1')
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ')
    .trim();
}

/** The words of normalised text. */
export function tokens(s: string): string[] {
  const normalized = normalizeText(s);
  return normalized === '' ? [] : normalized.split(' ');
}

// Small on purpose: only words that carry no meaning in a customer's question. Question words (где, сколько,
// қашан) stay, because FAQ questions contain them too; "как" goes, as it opens half of all questions and its
// forms (какой) match unrelated FAQ. Written in normalised form (Kazakh letters mapped).
const STOP_WORDS = new Set([
  // ru
  'и', 'в', 'во', 'на', 'с', 'со', 'к', 'ко', 'по', 'за', 'из', 'у', 'о', 'об', 'от', 'до', 'для', 'не', 'ни', 'но',
  'а', 'же', 'ли', 'бы', 'то', 'это', 'как', 'я', 'мы', 'вы', 'он', 'она', 'они', 'мне', 'меня', 'вас', 'вам', 'нас', 'нам',
  'ваш', 'ваша', 'ваше', 'ваши', 'мой', 'моя', 'мои', 'или', 'да', 'уже', 'еще', 'вот', 'так', 'там', 'тут', 'ну',
  'здравствуйте', 'привет', 'пожалуйста', 'спасибо', 'подскажите', 'скажите',
  // kk (normalised: сіз → сиз, үшін → ушин)
  'жане', 'мен', 'бен', 'пен', 'де', 'та', 'те', 'ма', 'ме', 'ба', 'бе', 'па', 'пе', 'бул', 'сол', 'осы', 'сиз',
  'сизге', 'сиздер', 'биз', 'ол', 'гой', 'гана', 'ушин', 'салеметсиз', 'салем', 'рахмет', 'иа',
  // en
  'the', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'is', 'are', 'am', 'be', 'do', 'does', 'i', 'you',
  'we', 'it', 'my', 'your', 'me', 'us', 'can', 'with', 'please', 'hello', 'hi', 'thanks', 'there',
]);

// Inflectional endings in normalised spelling, longest first. Russian nouns, adjectives and verbs; Kazakh case,
// plural and possessive suffixes (after қ→к, ң→н, і→и, ы stays). Derivational suffixes are left alone.
const CYRILLIC_ENDINGS = [
  'ться', 'ешь', 'ете', 'ите', 'ать', 'ять', 'ить', 'еть', 'тся', 'ами', 'ями', 'ого', 'его', 'ому', 'ему', 'ыми',
  'ими', 'лар', 'лер', 'дар', 'дер', 'тар', 'тер', 'нын', 'нин', 'дын', 'дин', 'тын', 'тин', 'нан', 'нен', 'дан',
  'ден', 'тан', 'тен', 'нда', 'нде', 'мен', 'бен', 'пен', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ый', 'ий', 'ой', 'ей',
  'ую', 'юю', 'ых', 'их', 'ах', 'ях', 'ам', 'ям', 'ов', 'ев', 'ом', 'ем', 'ью', 'ия', 'ии', 'ию', 'ет', 'ут', 'ют',
  'ит', 'ят', 'им', 'да', 'де', 'та', 'те', 'га', 'ге', 'ка', 'ке', 'на', 'не', 'ны', 'ни', 'ды', 'ди', 'ты', 'ти',
  'сы', 'си', 'а', 'я', 'ы', 'и', 'у', 'ю', 'е', 'о', 'ь', 'й',
];
const LATIN_ENDINGS = ['ing', 'ed', 'es', 's'];

const MIN_STEM = 3;
const PREFIX_STEM = 4;
/** Longer questions add little but cost a lookup each; the first words usually say what is asked. */
export const MAX_QUERY_TERMS = 16;

export interface QueryTerm {
  /** The normalised word as the customer wrote it. */
  word: string;
  /** What is searched: the stem, or the word itself for exact terms. */
  stem: string;
  /** prefix: `"stem"*`; forms: the stem and stem+ending for each known ending; exact: the word only. */
  match: 'prefix' | 'forms' | 'exact';
}

function stripEnding(word: string, endings: readonly string[], minStem: number): string {
  const ending = endings.find((e) => word.length - e.length >= minStem && word.endsWith(e));
  return ending ? word.slice(0, -ending.length) : word;
}

/** The search term for one normalised word (see the rule at the top of this file). */
export function stemTerm(word: string): QueryTerm {
  if (/\p{N}/u.test(word) || word.length < 2) return { word, stem: word, match: 'exact' };
  const cyrillic = /\p{Script=Cyrillic}/u.test(word);
  // Two-letter Cyrillic words are mostly Kazakh roots (үй, ет, су) whose case forms are worth finding: үй → үйге.
  if (word.length < MIN_STEM) return { word, stem: word, match: cyrillic ? 'forms' : 'exact' };
  const endings = cyrillic ? CYRILLIC_ENDINGS : /^\p{Script=Latin}+$/u.test(word) ? LATIN_ENDINGS : [];
  let stem = stripEnding(word, endings, MIN_STEM);
  // Kazakh stacks suffixes (қызмет-тер-і): one more ending comes off a long stem, never below a prefix stem.
  if (stem !== word && stem.length >= 6) stem = stripEnding(stem, endings, PREFIX_STEM);
  if (stem.length >= PREFIX_STEM) return { word, stem, match: 'prefix' };
  return { word, stem, match: endings.length > 0 ? 'forms' : 'exact' };
}

/** The distinct search terms of a customer's text: normalised tokens minus stop words, stemmed, at most MAX_QUERY_TERMS. */
export function queryTerms(s: string): QueryTerm[] {
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const word of tokens(s)) {
    if (STOP_WORDS.has(word)) continue;
    const term = stemTerm(word);
    const key = `${term.match}:${term.stem}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
    if (terms.length === MAX_QUERY_TERMS) break;
  }
  return terms;
}

/** The exact words a `forms` term matches: the stem, the typed word, and the stem with each ending of its script. */
export function termForms(term: QueryTerm): string[] {
  if (term.match !== 'forms') return [term.stem];
  const endings = /\p{Script=Cyrillic}/u.test(term.stem) ? CYRILLIC_ENDINGS : LATIN_ENDINGS;
  return [...new Set([term.stem, term.word, ...endings.map((e) => term.stem + e)])];
}

// Words the unicode61 tokenizer indexes exactly as normalizeText writes them: ASCII letters, digits and the Russian
// alphabet (ё and the Kazakh letters are folded before; й keeps its breve). A Latin letter with a diacritic is folded
// by the tokenizer (café is indexed as cafe), so such a word cannot be looked up in the index's term list as written.
const TOKENIZER_STABLE = /^[a-z0-9а-я]+$/;

/**
 * The terms with each `forms` term narrowed to the forms the tenant's index actually holds, as exact terms.
 * `indexedWords(stem)` returns the tenant's indexed words beginning with the stem (KnowledgeStore.indexedWords: a
 * few, one tenant's vocabulary). The match is the same as searching every form (a form no chunk holds matches
 * nothing and adds nothing to bm25), but a 3-letter stem costs one term-list range read and a few lookups instead
 * of a lookup per known ending (~100). A forms term is returned unchanged when a form holds a letter the tokenizer
 * folds; one whose forms the tenant has none of is dropped.
 */
export function narrowForms(terms: readonly QueryTerm[], indexedWords: (stem: string) => readonly string[]): QueryTerm[] {
  return terms.flatMap((term): QueryTerm[] => {
    if (term.match !== 'forms') return [term];
    const forms = termForms(term);
    if (!forms.every((form) => TOKENIZER_STABLE.test(form))) return [term];
    const present = new Set(indexedWords(term.stem));
    return forms.filter((form) => present.has(form)).map((form) => ({ word: term.word, stem: form, match: 'exact' }));
  });
}

/** FTS5 string literal: the only escape inside double quotes is a doubled double quote. */
function quote(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * A safe FTS5 MATCH expression: any of the terms, each folded with the tenant (tenantTerm) and written as a quoted
 * FTS5 string literal, so no user text is ever read as FTS5 syntax (operators, column filters, NEAR, `*`), and every
 * phrase begins with a token only this tenant's rows hold. Throws on an empty term list (callers return no results
 * instead of matching everything) and on a malformed tenant id.
 */
export function buildMatchQuery(tenantId: number, terms: readonly QueryTerm[]): string {
  const prefix = tenantPrefix(tenantId);
  if (terms.length === 0) throw new Error('buildMatchQuery: no terms');
  const alternatives = terms.flatMap((term) =>
    term.match === 'prefix' ? [`${quote(prefix + term.stem)}*`] : termForms(term).map((form) => quote(prefix + form)));
  return alternatives.join(' OR ');
}

/**
 * What every index token of a tenant begins with: `t<id>x`. The `x` ends the digits, so tenant 4's `t4x` is not a
 * prefix of tenant 42's `t42x`; the unicode61 tokenizer keeps the whole `t42xчистка` as one token (letters and
 * digits only, after normalizeText).
 */
export function tenantPrefix(tenantId: number): string {
  if (!Number.isSafeInteger(tenantId) || tenantId <= 0) throw new Error(`bad tenant id ${tenantId}`);
  return `t${tenantId}x`;
}

/** One normalised word as the tenant's index holds it: `t42xчистка`. */
export function tenantTerm(tenantId: number, word: string): string {
  return tenantPrefix(tenantId) + word;
}

/**
 * The indexed body of a chunk: its text after normalizeText, every word folded with the tenant. The one function
 * that writes index rows (KnowledgeStore, the 0009 migration's step, the benchmark's seed) so they all agree with
 * buildMatchQuery. A change here (or in normalizeText) changes what existing rows should hold: it needs a migration
 * whose step rebuilds kb_terms.
 */
export function indexBody(tenantId: number, text: string): string {
  const prefix = tenantPrefix(tenantId);
  const normalized = normalizeText(text);
  return normalized === '' ? '' : normalized.split(' ').map((word) => prefix + word).join(' ');
}
