import type { Locale } from '../tenants/settings.js';

const KAZAKH_LETTERS = /[әғқңөұүһі]/giu;
const CYRILLIC = /[а-яё]/giu;
const LATIN = /[a-z]/giu;
/** Common Kazakh words written without the special letters, so short messages are still recognised. */
const KAZAKH_WORDS = new Set(['рахмет', 'иә', 'жоқ', 'жок', 'керек', 'бар', 'ма', 'ме', 'па', 'пе', 'қанша', 'канша', 'сәлем', 'салем', 'кешіріңіз', 'кешириниз', 'бүгін', 'бугин', 'ертең', 'ертен']);

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** The language a customer wrote in, from its letters; null when the text has none (emoji, digits). */
export function detectLanguage(text: string): Locale | null {
  const lower = text.toLowerCase();
  const cyrillic = count(lower, CYRILLIC) + count(lower, KAZAKH_LETTERS);
  const latin = count(lower, LATIN);
  if (cyrillic === 0 && latin === 0) return null;
  if (cyrillic >= latin) {
    if (count(lower, KAZAKH_LETTERS) > 0) return 'kk';
    const words = lower.split(/[^\p{L}]+/u).filter(Boolean);
    const kazakh = words.filter((w) => KAZAKH_WORDS.has(w)).length;
    return kazakh > 0 && kazakh * 3 >= words.length ? 'kk' : 'ru';
  }
  return 'en';
}

/** The script most letters of a text are in. */
export function dominantScript(text: string): 'cyrillic' | 'latin' | null {
  const lower = text.toLowerCase();
  const cyrillic = count(lower, CYRILLIC) + count(lower, KAZAKH_LETTERS);
  const latin = count(lower, LATIN);
  if (cyrillic === 0 && latin === 0) return null;
  return cyrillic >= latin ? 'cyrillic' : 'latin';
}

export function scriptOf(locale: Locale): 'cyrillic' | 'latin' {
  return locale === 'en' ? 'latin' : 'cyrillic';
}
