/**
 * The facts check: every URL, e-mail, phone number, time, number (prices, amounts, dates) and street name in a
 * reply must appear in the sources the bot was given (knowledge snippets, the tenant's prompt, the conversation).
 * Deterministic and conservative: a fact written differently from its source (e.g. "15 тыс." for "15 000") is
 * vetoed, which costs a handover, never a wrong answer.
 */

export type FactKind = 'url' | 'email' | 'phone' | 'time' | 'number' | 'address';

export interface FactViolation {
  kind: FactKind;
  value: string;
}

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:kz|ru|com|org|net|io|me|info|biz|app|site|shop|online|uz|kg|by|ua|eu|us|uk|de)\b(?:\/[^\s<>"'()[\]{}]*)?/giu;
const EMAIL_PATTERN = /\b[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}\b/giu;
const PHONE_PATTERN = /(?:\+|\b)\d[\d\s\-().\u00a0]{5,}\d\b/gu;
const TIME_PATTERN = /\b([01]?\d|2[0-4])[:.]([0-5]\d)\b/gu;
const NUMBER_PATTERN = /\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?/gu;
const LIST_MARKER = /^\s*\d{1,2}[.)]\s/gmu;
const STREET_WORDS = /(?<![\p{L}])(ул\.|улица|улице|улицы|пр\.|пр-т|проспект|проспекте|пер\.|переулок|мкр\.?|микрорайон|микрорайоне|бульвар|б-р|шоссе|площадь|пл\.|көшесі|даңғылы|street|st\.|avenue|ave\.|road|rd\.|boulevard|blvd\.?)(?![\p{L}])/giu;

function stripTrailingPunctuation(value: string): string {
  return value.replace(/[.,;:!?…]+$/u, '');
}

function canonicalUrl(value: string): string {
  return stripTrailingPunctuation(value.toLowerCase()).replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/$/, '');
}

function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

function canonicalNumber(raw: string): string {
  let value = raw.replace(/[\s\u00a0\u202f]/g, '');
  if (/^\d{1,3}(,\d{3})+$/.test(value)) value = value.replaceAll(',', '');
  value = value.replace(',', '.');
  if (value.includes('.')) value = value.replace(/0+$/, '').replace(/\.$/, '');
  return value.replace(/^0+(?=\d)/, '');
}

function canonicalTime(hours: string, minutes: string): string {
  return `${Number(hours)}:${minutes}`;
}

function normalizeWords(text: string): string {
  return text.toLowerCase().replaceAll('ё', 'е');
}

interface Extracted {
  urls: string[];
  emails: string[];
  phones: string[];
  times: string[];
  numbers: string[];
}

/** Takes facts out of a text in an order that keeps them apart (a phone's digits are not also numbers). */
function extract(text: string, skipListMarkers: boolean): Extracted {
  let rest = skipListMarkers ? text.replace(LIST_MARKER, ' ') : text;
  const emails = [...rest.matchAll(EMAIL_PATTERN)].map((m) => m[0].toLowerCase());
  rest = rest.replace(EMAIL_PATTERN, ' ');
  const urls = [...rest.matchAll(URL_PATTERN)].map((m) => canonicalUrl(m[0]));
  rest = rest.replace(URL_PATTERN, ' ');
  const phones = [...rest.matchAll(PHONE_PATTERN)].map((m) => m[0]).filter((p) => digitsOf(p).length >= 7 && !/^\d{1,2}[:.]\d{2}/.test(p.trim()));
  for (const phone of phones) rest = rest.replace(phone, ' ');
  const times = [...rest.matchAll(TIME_PATTERN)].map((m) => canonicalTime(m[1]!, m[2]!));
  rest = rest.replace(TIME_PATTERN, ' ');
  const numbers = [...rest.matchAll(NUMBER_PATTERN)].map((m) => canonicalNumber(m[0]));
  return { urls, emails, phones: phones.map(digitsOf), times, numbers };
}

/** Street names next to a street word ("ул. Абая", "Abay street"): the neighbouring words that name the street. */
function streetNames(text: string): string[][] {
  const out: string[][] = [];
  for (const match of text.matchAll(STREET_WORDS)) {
    const before = text.slice(0, match.index).match(/([\p{L}-]{3,})[\s,]*$/u)?.[1];
    const after = text.slice(match.index + match[0].length).match(/^[\s,]*([\p{L}-]{3,})/u)?.[1];
    out.push([before, after].filter((w): w is string => Boolean(w)).map(normalizeWords));
  }
  return out;
}

/** The facts of `reply` that none of `sources` contains. Empty = the reply may be sent. */
export function unsupportedFacts(reply: string, sources: readonly string[]): FactViolation[] {
  const corpus = sources.join('\n');
  const known = extract(corpus, false);
  const found = extract(reply, true);
  const knownPhones = known.phones.map((p) => p.slice(-10));
  const corpusUrls = canonicalUrl(corpus.toLowerCase());
  const corpusWords = normalizeWords(corpus);
  const violations: FactViolation[] = [];

  for (const url of found.urls) if (!known.urls.includes(url) && !corpusUrls.includes(url)) violations.push({ kind: 'url', value: url });
  for (const email of found.emails) if (!known.emails.includes(email)) violations.push({ kind: 'email', value: email });
  for (const phone of found.phones) if (!knownPhones.some((k) => k.length >= 7 && (phone.endsWith(k) || k.endsWith(phone.slice(-10))))) violations.push({ kind: 'phone', value: phone });
  const knownTimes = new Set(known.times);
  for (const time of found.times) if (!knownTimes.has(time)) violations.push({ kind: 'time', value: time });
  const knownNumbers = new Set([...known.numbers, ...known.times.flatMap((t) => t.split(':').map((p) => canonicalNumber(p)))]);
  for (const number of found.numbers) if (!knownNumbers.has(number)) violations.push({ kind: 'number', value: number });
  for (const names of streetNames(reply)) {
    if (names.length > 0 && !names.some((name) => corpusWords.includes(name))) violations.push({ kind: 'address', value: names.join(' ') });
  }
  return dedupe(violations);
}

function dedupe(violations: FactViolation[]): FactViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.kind}:${v.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
