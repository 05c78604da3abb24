const DAY = 24 * 3_600_000;

/** The next time after `now` at which the clock in `timezone` reads `at` ("18:00"): when the day's digest goes out. */
export function nextDigestAt(now: number, timezone: string, at: string): number {
  const [hours, minutes] = at.split(':').map(Number) as [number, number];
  const offset = zoneOffset(now, timezone);
  const local = new Date(now + offset);
  let candidate = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hours, minutes) - offset;
  if (candidate <= now) candidate += DAY;
  // A daylight-saving change between now and then moves the wall clock: correct by the offset at that time.
  return candidate + (offset - zoneOffset(candidate, timezone));
}

/** Milliseconds the zone's wall clock is ahead of UTC at `at`. */
function zoneOffset(at: number, timezone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at)).map((p) => [p.type, p.value])) as Record<string, string>;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/** Validates "HH:MM" for --learning-digest-at; null when it is not a time of day. */
export function parseDigestTime(text: string): string | null {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match ? `${match[1]!.padStart(2, '0')}:${match[2]}` : null;
}
