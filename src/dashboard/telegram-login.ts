import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How old a Login Widget answer may be (its auth_date) before it is refused. */
export const WIDGET_MAX_AGE_MS = 10 * 60_000;

export type WidgetCheck = { ok: true; user: { id: number; name: string } } | { ok: false; why: 'bad_hash' | 'expired' | 'incomplete' };

/**
 * Checks the fields the Telegram Login Widget hands back (PROTOCOLS.md §3b): every field but `hash` as `key=value`,
 * sorted, joined with newlines, HMAC-SHA256 keyed with SHA-256 of the bot token, compared in constant time; and
 * `auth_date` (seconds) no older than WIDGET_MAX_AGE_MS.
 */
export function checkWidgetLogin(fields: Record<string, string>, botToken: string, now: number): WidgetCheck {
  const { hash, ...rest } = fields;
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || !rest.id || !/^\d{1,19}$/.test(rest.id) || !rest.auth_date || !/^\d{1,12}$/.test(rest.auth_date)) return { ok: false, why: 'incomplete' };
  const dataCheck = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('\n');
  const secret = createHash('sha256').update(botToken).digest();
  const expected = createHmac('sha256', secret).update(dataCheck).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, why: 'bad_hash' };
  if (now - Number(rest.auth_date) * 1000 > WIDGET_MAX_AGE_MS) return { ok: false, why: 'expired' };
  const name = [rest.first_name, rest.last_name].filter(Boolean).join(' ').trim() || rest.username || rest.id;
  return { ok: true, user: { id: Number(rest.id), name } };
}
