import type { Locale } from '../tenants/settings.js';
import { renderText, type TextOverrides } from './texts.js';

const DAY_KEYS = { Mon: 'day_mon', Tue: 'day_tue', Wed: 'day_wed', Thu: 'day_thu', Fri: 'day_fri', Sat: 'day_sat', Sun: 'day_sun' } as const;

function local(at: number, timezone: string): { date: string; weekday: keyof typeof DAY_KEYS; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday: get('weekday') as keyof typeof DAY_KEYS, time: `${get('hour')}:${get('minute')}` };
}

/** When managers are back, in the customer's words: "завтра в 09:00", "on Monday at 09:00" (tenant's timezone). */
export function describeOpening(opensAt: number, now: number, timezone: string, locale: Locale, overrides: TextOverrides | null = null): string {
  const open = local(opensAt, timezone);
  const today = local(now, timezone);
  const tomorrow = local(now + 86_400_000, timezone);
  if (open.date === today.date) return renderText(locale, 'opens_today', { time: open.time }, overrides);
  if (open.date === tomorrow.date) return renderText(locale, 'opens_tomorrow', { time: open.time }, overrides);
  return renderText(locale, 'opens_on', { time: open.time, day: renderText(locale, DAY_KEYS[open.weekday], {}, overrides) }, overrides);
}
