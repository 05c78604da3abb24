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
