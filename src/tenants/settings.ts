import { parseDuration } from '../config/durations.js';
import { UserError } from '../errors.js';
import { BusinessHoursError, parseBusinessHours, type BusinessHours } from './business-hours.js';
import { cut } from '../observability/cut.js';

/** An operator's input as echoed in an error: cut, so a 10,000-character mistake is not printed back whole. */
const shown = (text: string) => cut(text, 60);

export const LOCALES = ['ru', 'kk', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Validates a tenant slug: lowercase letters, digits and dashes, 1–40 characters, used in commands and URLs. */
export function validateSlug(slug: string): string {
  if (!SLUG.test(slug)) {
    throw new UserError(`"${shown(slug)}" is not a valid tenant slug`, 'use 1–40 lowercase letters, digits and dashes, starting and ending with a letter or digit, e.g. dental-almaty');
  }
  return slug;
}

export function validateLocale(locale: string): Locale {
  if (!(LOCALES as readonly string[]).includes(locale)) {
    throw new UserError(`"${shown(locale)}" is not a supported locale`, `use one of ${LOCALES.join(', ')} with --locale`);
  }
  return locale as Locale;
}

export function validateTimezone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new UserError(`"${shown(zone)}" is not a known timezone`, 'use an IANA name with --timezone, e.g. Asia/Almaty or Europe/Moscow');
  }
  if (!zone.includes('/') && zone !== 'UTC') {
    throw new UserError(`"${shown(zone)}" is an abbreviation, not a timezone name`, 'use an IANA name with --timezone, e.g. Asia/Almaty');
  }
  return zone;
}

/** A Telegram group's chat id: a negative integer (supergroups start with -100). */
export function validateGroupChatId(text: string, flag: string): number {
  const value = Number(text);
  if (!/^-[1-9]\d{0,18}$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new UserError(`${flag} "${shown(text)}" is not a Telegram group chat id`, `give the group's numeric id, which is negative (e.g. -1001234567890); the README shows how to find it`);
  }
  return value;
}

/** A Telegram chat a person or group can be reached in (the owner's private chat is positive). */
export function validateChatId(text: string, flag: string): number {
  const value = Number(text);
  if (!/^-?\d{1,19}$/.test(text.trim()) || !Number.isSafeInteger(value) || value === 0) {
    throw new UserError(`${flag} "${shown(text)}" is not a Telegram chat id`, 'give the numeric chat id, e.g. 123456789 for a person or -1001234567890 for a group');
  }
  return value;
}

export function validatePhoneNumberId(text: string): string {
  if (!/^\d{5,20}$/.test(text.trim())) {
    throw new UserError(`--whatsapp-phone-number-id "${shown(text)}" is not a WhatsApp phone number id`, 'copy the numeric "Phone number ID" from the WhatsApp > API Setup page of the Meta app (not the phone number itself)');
  }
  return text.trim();
}

export function validateDuration(text: string, flag: string, min: number, max: number): number {
  const ms = parseDuration(text);
  if (ms === null || ms < min || ms > max) {
    throw new UserError(`${flag} "${shown(text)}" is not a duration between ${min / 1000}s and ${max / 3_600_000}h`, 'write it like 30s, 5m or 2h');
  }
  return ms;
}

export function validateBusinessHours(text: string): BusinessHours | null {
  if (['always', '24/7', ''].includes(text.trim().toLowerCase())) return null;
  try {
    return parseBusinessHours(text);
  } catch (err) {
    if (err instanceof BusinessHoursError) {
      throw new UserError(`--business-hours: ${err.message}`, 'write it like "mon-fri 09:00-18:00; sat 10:00-14:00" (in the tenant\'s timezone), or "always"');
    }
    throw err;
  }
}

export function validateCount(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new UserError(`${flag} "${shown(text)}" is not a whole number from ${min} to ${max}`, `give ${flag} a number such as ${Math.min(max, Math.max(min, 3))}`);
  }
  return n;
}

export function validateSwitch(text: string, flag: string): boolean {
  const value = text.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(value)) return true;
  if (['off', 'false', 'no', '0'].includes(value)) return false;
  throw new UserError(`${flag} "${shown(text)}" is neither on nor off`, `write ${flag} on or ${flag} off`);
}
