/** An offer the tenant lets the bot propose, quoted exactly. */
export interface Offer {
  id: number;
  when: string;
  text: string;
  service: string | null;
}

/** One conversation, for "at most one offer per conversation": the customer's activity within this long. */
export const OFFER_CONVERSATION_MS = 24 * 3_600_000;

const norm = (text: string) => text.toLowerCase().replaceAll('ё', 'е').replace(/[^\p{L}\p{N}%]+/gu, ' ').trim();

/** The offers a reply quotes (its text, ignoring case and punctuation). */
export function offersQuoted(reply: string, offers: readonly Offer[]): Offer[] {
  const r = ` ${norm(reply)} `;
  return offers.filter((o) => norm(o.text).length > 0 && r.includes(` ${norm(o.text)} `));
}

// Words that promise a price cut, in the product's languages: a reply may use them only when the knowledge or an offer does.
const DISCOUNT = /скидк|акци|промокод|дешевле|жеңілдік|discount|promo|coupon|% off|\bsale\b|\d+\s?%/iu;

/** True when the reply promises a discount that none of the sources (knowledge, offers) contains. */
export function inventsDiscount(reply: string, sources: readonly string[]): boolean {
  if (!DISCOUNT.test(reply)) return false;
  return !sources.some((s) => DISCOUNT.test(s));
}

// A customer who is complaining is not sold to. Words of dissatisfaction in ru, kk, en (a lexicon, not test phrases).
const COMPLAINT = /жалоб|недовол|ужасн|безобраз|претензи|верните|возврат|обман|хамств|отвратит|шағым|наразы|нашар|complain|terrible|awful|refund|disappointed|unacceptable|rude|worst|angry/iu;

export function isComplaining(texts: readonly string[]): boolean {
  return texts.some((t) => COMPLAINT.test(t));
}
