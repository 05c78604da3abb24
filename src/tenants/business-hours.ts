/**
 * Weekly opening hours in the tenant's timezone, written by operators as
 * `mon-fri 09:00-18:00; sat 10:00-14:00` (days a range or a comma list; several intervals per day allowed).
 */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
/** Minutes since midnight, [start, end). */
export type Interval = [number, number];
export type BusinessHours = Partial<Record<Day, Interval[]>>;

export class BusinessHoursError extends Error {}

export function parseBusinessHours(text: string): BusinessHours {
  const hours: BusinessHours = {};
  const parts = text.split(';').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new BusinessHoursError('no days given');
  for (const part of parts) {
    const match = /^([a-z,-]+)\s+(.+)$/i.exec(part);
    if (!match) throw new BusinessHoursError(`"${part}" is not "days hh:mm-hh:mm"`);
    const days = parseDays(match[1]!.toLowerCase(), part);
    const intervals = match[2]!.split(',').map((range) => parseRange(range.trim(), part));
    for (const day of days) hours[day] = [...(hours[day] ?? []), ...intervals].sort((a, b) => a[0] - b[0]);
  }
  return hours;
}

function parseDays(text: string, part: string): Day[] {
  const out: Day[] = [];
  for (const piece of text.split(',')) {
    const [from, to] = piece.split('-') as [string, string | undefined];
    const start = DAYS.indexOf(from as Day);
    const end = to === undefined ? start : DAYS.indexOf(to as Day);
    if (start < 0 || end < 0 || end < start) throw new BusinessHoursError(`"${piece}" in "${part}" is not a day or day range (mon … sun)`);
    out.push(...DAYS.slice(start, end + 1));
  }
  return out;
}

function parseRange(text: string, part: string): Interval {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) throw new BusinessHoursError(`"${text}" in "${part}" is not a time range like 09:00-18:00`);
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || end > 24 * 60 || end <= start) {
    throw new BusinessHoursError(`"${text}" in "${part}" is not a valid range (the end must be after the start, at most 24:00)`);
  }
  return [start, end];
}

export function formatBusinessHours(hours: BusinessHours | null): string {
  if (!hours) return 'always open';
  const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return DAYS.filter((d) => hours[d]?.length)
    .map((d) => `${d} ${hours[d]!.map(([a, b]) => `${fmt(a)}-${fmt(b)}`).join(',')}`)
    .join('; ');
}

/** The weekday and minutes since midnight of `at` in `timezone`. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: number, timezone: string): { day: Day; minutes: number } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: get('weekday').slice(0, 3).toLowerCase() as Day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** True when the business is open at `at` (always, when it has no hours). */
export function isOpen(hours: BusinessHours | null, timezone: string, at: number): boolean {
  if (!hours) return true;
  const { day, minutes } = localTime(at, timezone);
  return (hours[day] ?? []).some(([start, end]) => minutes >= start && minutes < end);
}

/** The next moment the business opens after `at` (epoch ms, exact to the minute), or null when it never opens. */
export function nextOpening(hours: BusinessHours | null, timezone: string, at: number): number | null {
  if (!hours) return at;
  const start = Math.floor(at / 60_000) * 60_000;
  // Walk minute boundaries where the schedule can change: at most 8 days of interval starts.
  for (let step = 1; step <= 8 * 24 * 60; step++) {
    const candidate = start + step * 60_000;
    if (isOpen(hours, timezone, candidate) && !isOpen(hours, timezone, candidate - 60_000)) return candidate;
  }
  return null;
}
