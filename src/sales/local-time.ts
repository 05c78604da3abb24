/** The tenant's local date and time as `YYYY-MM-DD HH:MM` at `at`. */
export function localDateTime(at: number, timezone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/**
 * The moment a local `YYYY-MM-DD HH:MM` names in `timezone`, or null when it is not a real date and time. Found by
 * correcting a UTC guess by the zone's offset at that moment (twice, so a DST change between the two is followed).
 */
export function localToEpoch(text: string, timezone: string): number | null {
  const m = LOCAL.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  if (new Date(wanted).getUTCDate() !== d) return null; // 31 February
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const shown = localToUtcFields(guess, timezone);
    guess += wanted - shown;
  }
  return localDateTime(guess, timezone) === `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` ? guess : null;
}

function localToUtcFields(at: number, timezone: string): number {
  const text = localDateTime(at, timezone);
  const m = LOCAL.exec(text)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}
