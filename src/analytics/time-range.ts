import { UserError } from '../errors.js';

const DAY = 86_400_000;
/** The span the numbers cover: [from, to) in epoch ms, and the local days (YYYY-MM-DD) it starts and ends in. */
export interface TimeRange {
  from: number;
  to: number;
  timezone: string;
  /** Local midnights from the first day to the day after the last: day i is [days[i], days[i+1]). */
  dayStarts: number[];
  /** Each day's local date, same index as dayStarts (one fewer). */
  dayLabels: string[];
}

export type Preset = 'today' | '7d' | '30d';
export const PRESETS: readonly Preset[] = ['today', '7d', '30d'];

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

function wallClock(at: number, timezone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = formatter(timezone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute'), s: get('second') };
}

/** The local date of `at` in `timezone`, as YYYY-MM-DD. */
export function localDate(at: number, timezone: string): string {
  const { y, m, d } = wallClock(at, timezone);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The epoch ms of local midnight starting the date `date` (YYYY-MM-DD) in `timezone`; DST-safe to the second. */
export function localMidnight(date: string, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(guess, timezone);
    const shown = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
    const next = guess - (shown - target);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The range from the start of local date `first` to the end of local date `last`, both inclusive. */
export function dateRange(first: string, last: string, timezone: string): TimeRange {
  const dayLabels: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) dayLabels.push(day);
  const dayStarts = [...dayLabels, addDays(last, 1)].map((day) => localMidnight(day, timezone));
  return { from: dayStarts[0]!, to: dayStarts.at(-1)!, timezone, dayStarts, dayLabels };
}

/** today, the last 7 days or the last 30 days, each ending with today, in the tenant's timezone. */
export function presetRange(preset: Preset, now: number, timezone: string): TimeRange {
  const today = localDate(now, timezone);
  const days = preset === 'today' ? 1 : preset === '7d' ? 7 : 30;
  return dateRange(addDays(today, -(days - 1)), today, timezone);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The range a person asked for: a preset, or `from`/`to` local dates (YYYY-MM-DD, both inclusive). Throws a UserError
 * naming the bad value and the fix; a range of more than 366 days is refused.
 */
export function parseRange(input: { preset?: string | undefined; from?: string | undefined; to?: string | undefined }, now: number, timezone: string): TimeRange {
  if (input.from || input.to) {
    const today = localDate(now, timezone);
    const from = input.from ?? input.to!;
    const to = input.to ?? today;
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
        throw new UserError(`--${name} "${value}" is not a date`, 'write dates as YYYY-MM-DD, e.g. --from 2026-11-01 --to 2026-11-30 (days in the tenant\'s timezone, both included)');
      }
    }
    if (from > to) throw new UserError(`--from ${from} is after --to ${to}`, 'give the earlier date as --from');
    if ((Date.parse(to) - Date.parse(from)) / DAY > 366) throw new UserError(`the range ${from} … ${to} is longer than a year`, 'ask for at most 366 days at a time');
    return dateRange(from, to, timezone);
  }
  const preset = input.preset ?? '7d';
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UserError(`"${preset}" is not a period`, `use one of ${PRESETS.join(', ')}, or give --from and --to`);
  return presetRange(preset as Preset, now, timezone);
}

/** Index of the day of `range` that holds `at`, or -1 outside the range (binary search over the local midnights). */
export function dayIndex(range: TimeRange, at: number): number {
  const starts = range.dayStarts;
  if (at < starts[0]! || at >= starts.at(-1)!) return -1;
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
