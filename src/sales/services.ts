/** What a tenant sells that can be booked: name (as customers and managers say it), duration, price as written. */
export interface Service {
  name: string;
  durationMin: number;
  /** The price as the tenant writes it ("15 000 ₸"); null when it depends (the bot then does not name one). */
  price: string | null;
}

export class ServicesFileError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'ServicesFileError';
  }
}

const EXAMPLE = '[{"name": "Чистка", "duration": "60m", "price": "15 000 ₸"}]';

/** `60m`, `1h`, `1h30m` or a number of minutes. */
export function parseDurationMinutes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$/i.exec(value);
  if (!match || (match[1] === undefined && match[2] === undefined)) return /^\s*\d+\s*$/.test(value) && Number(value) > 0 ? Number(value) : null;
  const minutes = Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
  return minutes > 0 ? minutes : null;
}

/**
 * Reads a services file: a JSON array of {name, duration, price?}. Every problem is reported with its entry's
 * position and the fix; nothing is half-applied (the caller replaces the list only when the whole file is valid).
 */
export function parseServicesFile(text: string, fileName: string): Service[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ServicesFileError(`${fileName} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, `write the services as a JSON array, e.g. ${EXAMPLE}`);
  }
  if (!Array.isArray(value)) throw new ServicesFileError(`${fileName} must hold a JSON array of services`, `e.g. ${EXAMPLE}`);
  const seen = new Set<string>();
  return value.map((entry, i): Service => {
    const where = `${fileName}, service #${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ServicesFileError(`${where} is not an object`, `e.g. ${EXAMPLE}`);
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (!name || name.length > 100) throw new ServicesFileError(`${where} needs a "name" of 1 to 100 characters`, 'give every service the name customers use for it');
    const key = name.toLowerCase();
    if (seen.has(key)) throw new ServicesFileError(`${where}: "${name}" is listed twice`, 'keep one entry per service');
    seen.add(key);
    const durationMin = parseDurationMinutes(e.duration);
    if (durationMin === null) throw new ServicesFileError(`${where} ("${name}") has no valid "duration"`, 'write it like "30m", "1h" or "1h30m"');
    if (e.price !== undefined && e.price !== null && typeof e.price !== 'string' && typeof e.price !== 'number') {
      throw new ServicesFileError(`${where} ("${name}") has a "price" that is not text or a number`, 'write it as customers should read it, e.g. "15 000 ₸"');
    }
    const price = e.price === undefined || e.price === null ? null : String(e.price).trim() || null;
    return { name, durationMin, price };
  });
}

/** One line per service, as the prompt and the managers see them. */
export function describeService(service: Service): string {
  return `${service.name} — ${service.durationMin} min${service.price ? ` — ${service.price}` : ''}`;
}
