/**
 * What identifies the customer of a conversation, and taking it out of a knowledge entry: an entry is read by every
 * later customer, so it never carries this one's phone, name, e-mail, address or order number. Deterministic: the
 * model is asked to leave them out, and this removes what it left in.
 */

export interface CustomerDetails {
  /** Digits of phone numbers (the contact's own and any the customer wrote). */
  phones: string[];
  emails: string[];
  /** Words of the customer's name (profile name, "my name is …"). */
  names: string[];
  /** Order, booking or account numbers the customer gave, and addresses they wrote. */
  other: string[];
}

export interface ConversationLine {
  author: 'customer' | 'bot' | 'manager' | 'system';
  text: string;
}

const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/giu;
const PHONE = /(?:\+|\b)\d[\d\s\-().\u00a0]{5,}\d\b/gu;
const NAME_INTRO = /(?:[Мм]еня зовут|[Мм]о[её] имя|[Mm]y name is|[Мм]енің атым|[Аа]тым)\s+([\p{Lu}][\p{L}-]+(?:\s+[\p{Lu}][\p{L}-]+)?)/gu;
const ORDER = /(?:#|№|\bзаказ\w*\s*(?:№|#|номер)?\s*|\border\s*(?:#|no\.?|number)?\s*|\bтапсырыс\w*\s*)(\d[\d-]{2,})/giu;
const ADDRESS = /(?:мой адрес|адрес доставки|я живу|my address is|deliver to|i live at|менің мекенжайым)\s*[:—-]?\s*([^.!?\n]{4,80})/giu;

/** The customer's details from their contact record and their own messages in the conversation. */
export function customerDetails(contact: { phone: string; name: string | null }, conversation: readonly ConversationLine[]): CustomerDetails {
  const said = conversation.filter((l) => l.author === 'customer').map((l) => l.text).join('\n');
  const phones = new Set<string>([digits(contact.phone)]);
  const emails = new Set<string>();
  const names = new Set<string>();
  const other = new Set<string>();
  for (const match of said.matchAll(EMAIL)) emails.add(match[0].toLowerCase());
  const withoutEmails = said.replace(EMAIL, ' ');
  for (const match of withoutEmails.matchAll(PHONE)) if (digits(match[0]).length >= 7) phones.add(digits(match[0]));
  for (const word of nameWords(contact.name ?? '')) names.add(word);
  for (const match of said.matchAll(NAME_INTRO)) for (const word of nameWords(match[1]!)) names.add(word);
  for (const match of said.matchAll(ORDER)) other.add(match[1]!);
  for (const match of said.matchAll(ADDRESS)) other.add(match[1]!.trim());
  return { phones: [...phones].filter((p) => p.length >= 7), emails: [...emails], names: [...names], other: [...other] };
}

/** The customer's details still found in `text` (empty = none). */
export function findCustomerDetails(text: string, details: CustomerDetails): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  for (const email of details.emails) if (lower.includes(email)) found.push(email);
  for (const match of text.replace(EMAIL, ' ').matchAll(PHONE)) {
    const d = digits(match[0]);
    if (details.phones.some((p) => samePhone(p, d))) found.push(match[0].trim());
  }
  for (const name of details.names) if (wordPattern(name).test(text)) found.push(name);
  for (const value of details.other) if (lower.includes(value.toLowerCase())) found.push(value);
  return found;
}

/** `text` without the customer's details, its punctuation tidied where they were. */
export function scrubCustomerDetails(text: string, details: CustomerDetails): string {
  let out = text;
  for (const email of details.emails) out = out.replace(new RegExp(escapeRegExp(email), 'giu'), ' ');
  out = out.replace(PHONE, (match) => (details.phones.some((p) => samePhone(p, digits(match))) ? ' ' : match));
  for (const name of details.names) out = out.replace(wordPattern(name, 'g'), ' ');
  for (const value of details.other) out = out.replace(new RegExp(escapeRegExp(value), 'giu'), ' ');
  return tidy(out);
}

function tidy(text: string): string {
  return text
    .replace(/[#№](?=\s|[,.;:!?]|$)/gu, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\(\s*\)/g, '')
    .replace(/\s+([,.!?;:])/g, '$1')
    .replace(/(^|[.!?]\s+|\n)[,;:]\s*/g, '$1')
    .replace(/[,;:]\s*([,;:.!?])/g, '$1')
    .replace(/^[\s,;:!-]+/, '')
    .replace(/(^|[.!?]\s+|\n)(\p{Ll})/gu, (_, lead: string, letter: string) => lead + letter.toUpperCase())
    .trim();
}

function nameWords(name: string): string[] {
  return name.split(/[^\p{L}-]+/u).filter((w) => w.length >= 3).map((w) => w.toLowerCase());
}

/** A name as a whole word, with the endings Russian and Kazakh add to it (Айгерим → Айгерим, Айгериму). */
function wordPattern(word: string, flags = ''): RegExp {
  const endings = word.length >= 4 ? 2 : 0;
  return new RegExp(`(?<![\\p{L}])${escapeRegExp(word)}[\\p{L}]{0,${endings}}(?![\\p{L}])`, `iu${flags}`);
}

function samePhone(a: string, b: string): boolean {
  return b.length >= 7 && (a.slice(-10) === b.slice(-10) || a.endsWith(b) || b.endsWith(a));
}

function digits(text: string): string {
  return text.replace(/\D/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
