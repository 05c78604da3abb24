import { levelOf, LEVELS, timeOf, type LogRecord } from './log-filter.js';

const NAMES = new Map<number, string>(Object.entries(LEVELS).map(([name, n]) => [n, name.toUpperCase()]));
/** Fields shown in the line's head, or not at all (pid, hostname: one process per unit, one host). */
const HEAD = new Set(['time', 'level', 'msg', 'tenant', 'tenantId', 'trace', 'proc', 'pid', 'hostname', 'err']);

/**
 * One worker line for a person: time, level, process, tenant, short trace, message, then the other fields as
 * key=value. An error's stack follows, indented, because that is what a bug hunt needs next.
 */
export function formatLogLine(record: LogRecord, tenantSlugs: ReadonlyMap<number, string> = new Map()): string {
  const at = timeOf(record);
  const level = levelOf(record);
  const tenant = typeof record.tenant === 'string' ? record.tenant
    : typeof record.tenantId === 'number' ? (tenantSlugs.get(record.tenantId) ?? `tenant#${record.tenantId}`) : '';
  const trace = typeof record.trace === 'string' ? record.trace.slice(0, 8) : '';
  const head = [
    at === null ? ''.padEnd(24) : new Date(at).toISOString(),
    (level === null ? String(record.level ?? '-') : (NAMES.get(level) ?? String(level))).padEnd(5),
    typeof record.proc === 'string' ? `[${record.proc}]` : '',
    tenant,
    trace,
  ].filter(Boolean).join(' ');
  const fields = Object.entries(record).filter(([key]) => !HEAD.has(key)).map(([key, value]) => `${key}=${show(value)}`);
  // The runner logs `err` as text; pino's serializer writes an Error as { type, message, stack }.
  const err = record.err as { type?: string; message?: string; stack?: string } | string | undefined;
  if (typeof err === 'string') fields.push(`err=${show(err)}`);
  else if (err && typeof err === 'object') fields.push(`err=${show(`${err.type ?? 'Error'}: ${err.message ?? ''}`)}`);
  const line = `${head}  ${typeof record.msg === 'string' ? record.msg : ''}${fields.length ? `  ${fields.join(' ')}` : ''}`;
  const stack = typeof err === 'object' && typeof err.stack === 'string' ? err.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`) : [];
  return [line, ...stack].join('\n');
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : (text ?? 'undefined');
}
