import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../paths.js';
import type { Locale } from '../tenants/settings.js';

type DeskTexts = Record<string, string>;
const cache = new Map<Locale, DeskTexts>();

/** A managers' desk text in the tenant's locale (templates/desk/<locale>.json), placeholders filled. */
export function deskText(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
  let texts = cache.get(locale);
  if (!texts) {
    texts = JSON.parse(readFileSync(join(templatesDir, 'desk', `${locale}.json`), 'utf8')) as DeskTexts;
    cache.set(locale, texts);
  }
  const template = texts[key];
  if (template === undefined) throw new Error(`templates/desk/${locale}.json has no "${key}"; reinstall botctl`);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])));
}

/** Escapes text for Telegram's HTML parse mode, so a customer who writes `<b>` cannot break a card. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** "1 h 5 min", "12 min", "40 s" — for times to take and resolve. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** Local clock time of `at` in the tenant's timezone, e.g. "14:05". */
export function clockTime(at: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}
