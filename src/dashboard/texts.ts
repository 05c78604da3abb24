import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templatesDir } from '../paths.js';
import { LOCALES, type Locale } from '../tenants/settings.js';

const cache = new Map<Locale, Record<string, string>>();

/** A dashboard text in `locale` (templates/dashboard/<locale>.json), placeholders filled. Not escaped: pages escape. */
export function dashText(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
  let texts = cache.get(locale);
  if (!texts) {
    texts = JSON.parse(readFileSync(join(templatesDir, 'dashboard', `${locale}.json`), 'utf8')) as Record<string, string>;
    cache.set(locale, texts);
  }
  const template = texts[key];
  if (template === undefined) throw new Error(`templates/dashboard/${locale}.json has no "${key}"; reinstall botctl`);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])));
}

export function isLocale(value: string | undefined): value is Locale {
  return value !== undefined && (LOCALES as readonly string[]).includes(value);
}

/** A duration for people: "40 s", "12 min", "1 h 5 min", "2 d 3 h"; the dash for none. */
export function duration(locale: Locale, ms: number | null): string {
  if (ms === null) return dashText(locale, 'none');
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return dashText(locale, 'u_s', { n: s });
  const m = Math.round(s / 60);
  if (m < 60) return dashText(locale, 'u_min', { n: m });
  const h = Math.floor(m / 60);
  if (h < 48) return dashText(locale, 'u_h', { h, m: m % 60 });
  return dashText(locale, 'u_d', { d: Math.floor(h / 24), h: h % 24 });
}

/** Local date and time in the tenant's timezone: "2026-11-02 23:50". */
export function localDateTime(at: number, timezone: string): string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
