import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../paths.js';
import type { Locale } from '../tenants/settings.js';

/** Keys of the customer-facing texts in templates/texts/<locale>.json. */
export const TEXT_KEYS = [
  'holding_reply', 'holding_reply_after_hours', 'holding_reply_unavailable', 'rate_limited', 'ask_to_write',
  'unsupported', 'greeting', 'manager_already_handling', 'manager_greeting',
  'opens_today', 'opens_tomorrow', 'opens_on', 'day_mon', 'day_tue', 'day_wed', 'day_thu', 'day_fri', 'day_sat', 'day_sun',
  'booking_requested', 'booking_already_requested', 'booking_ask_details', 'booking_field_service', 'booking_field_time', 'booking_field_name',
  'booking_confirmed', 'booking_other_time', 'booking_declined',
  'forget_confirmed', 'booking_reminder', 'booking_line', 'booking_state_requested', 'booking_state_confirmed', 'booking_state_other_time', 'booking_state_declined',
] as const;
export type TextKey = (typeof TEXT_KEYS)[number];

export type TextOverrides = Partial<Record<Locale, Partial<Record<TextKey, string>>>>;

const LOCALES: readonly Locale[] = ['ru', 'kk', 'en'];
let cache: Record<Locale, Record<TextKey, string>> | null = null;

function load(): Record<Locale, Record<TextKey, string>> {
  if (cache) return cache;
  const out = {} as Record<Locale, Record<TextKey, string>>;
  for (const locale of LOCALES) {
    const texts = JSON.parse(readFileSync(join(templatesDir, 'texts', `${locale}.json`), 'utf8')) as Record<string, string>;
    for (const key of TEXT_KEYS) {
      if (typeof texts[key] !== 'string') throw new Error(`templates/texts/${locale}.json has no "${key}"; reinstall botctl`);
    }
    out[locale] = texts as Record<TextKey, string>;
  }
  cache = out;
  return out;
}

/** A customer-facing text in `locale`, the tenant's override first, with `{name}` placeholders filled. */
export function renderText(locale: Locale, key: TextKey, vars: Record<string, string> = {}, overrides: TextOverrides | null = null): string {
  const template = overrides?.[locale]?.[key] ?? load()[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** The LLM's system instructions in `locale` (templates/prompts/system.<locale>.md). */
export function systemTemplate(locale: Locale, business: string): string {
  return readFileSync(join(templatesDir, 'prompts', `system.${locale}.md`), 'utf8').replaceAll('{business}', business).trim();
}
