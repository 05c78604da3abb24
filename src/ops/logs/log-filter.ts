/** pino's levels; the worker writes the label (`"level":"warn"`), other pino setups write the number. */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;

export type LogRecord = Record<string, unknown>;

export interface LogFilter {
  tenantSlug?: string;
  /** The same tenant's id: job lines carry `tenantId`, webhook lines the slug as `tenant`. */
  tenantId?: number | null;
  trace?: string;
  minLevel?: LevelName;
  /** Epoch ms; lines before it are dropped. */
  since?: number;
  /** When the source already applied `since` (journalctl --since), a line without a time is not dropped for it. */
  sinceAppliedBySource?: boolean;
}

/** A JSON object line, or null for anything else (a stack trace, a message from systemd or litestream). */
export function parseLine(line: string): LogRecord | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogRecord) : null;
  } catch {
    return null;
  }
}

export function levelOf(record: LogRecord): number | null {
  const level = record.level;
  if (typeof level === 'number') return level;
  if (typeof level === 'string' && level in LEVELS) return LEVELS[level as LevelName];
  return null;
}

export function timeOf(record: LogRecord): number | null {
  const time = record.time;
  if (typeof time === 'number') return time;
  if (typeof time === 'string') {
    const at = Date.parse(time);
    return Number.isNaN(at) ? null : at;
  }
  return null;
}

/** True when any filter that needs a JSON line is set: then non-JSON lines are dropped. */
export function filtering(filter: LogFilter): boolean {
  return Boolean(filter.tenantSlug || filter.trace || filter.minLevel || (filter.since !== undefined && !filter.sinceAppliedBySource));
}

/** Whether a line passes. Non-JSON lines pass only when nothing filters (they cannot say their tenant or level). */
export function keep(record: LogRecord | null, filter: LogFilter): boolean {
  if (!record) return !filtering(filter);
  if (filter.tenantSlug && record.tenant !== filter.tenantSlug && !(filter.tenantId != null && record.tenantId === filter.tenantId)) return false;
  if (filter.trace && !matchesTrace(record, filter.trace)) return false;
  if (filter.minLevel) {
    const level = levelOf(record);
    if (level === null || level < LEVELS[filter.minLevel]) return false;
  }
  if (filter.since !== undefined) {
    const at = timeOf(record);
    if (at === null ? !filter.sinceAppliedBySource : at < filter.since) return false;
  }
  return true;
}

/** Exact, or a prefix of at least 8 characters (trace ids are printed shortened). */
function matchesTrace(record: LogRecord, trace: string): boolean {
  const value = typeof record.trace === 'string' ? record.trace : typeof record.traceId === 'string' ? record.traceId : null;
  if (!value) return false;
  return value === trace || (trace.length >= 8 && value.startsWith(trace));
}
