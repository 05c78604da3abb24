import type { ChildSpec } from './child-spec.js';
import type { OutputStream } from './running-child.js';

export type LineLevel = 'debug' | 'info' | 'warn' | 'error';

/** One line of a child's output as the journal gets it: unchanged (already our JSON), or as a log call of ours. */
export type OutputLine = { raw: string } | { level: LineLevel; message: string; fields: Record<string, string> };

const LOGFMT_PAIR = /(\w[\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
const LEVELS: Record<string, LineLevel> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The worker logs JSON lines through pino already (secrets redacted there), so they pass through; anything else —
 * Litestream's logfmt, a stack trace, the `Error: …` line of a command that failed — becomes one JSON line of ours,
 * so the journal stays one format. Litestream's `level=ERROR` keeps its level; other stderr lines are errors.
 */
export function outputLine(spec: Pick<ChildSpec, 'output'>, stream: OutputStream, line: string): OutputLine {
  if (spec.output === 'json' && line.startsWith('{') && line.endsWith('}')) return { raw: line };
  if (spec.output === 'logfmt') {
    const fields: Record<string, string> = {};
    for (const [, key, value] of line.matchAll(LOGFMT_PAIR)) {
      fields[key!] = value!.startsWith('"') ? unquote(value!) : value!;
    }
    if (fields.msg !== undefined) {
      const level = LEVELS[(fields.level ?? '').toUpperCase()] ?? 'info';
      const message = fields.msg;
      delete fields.msg;
      delete fields.level;
      delete fields.time;
      return { level, message, fields };
    }
  }
  return { level: stream === 'stderr' ? 'error' : 'info', message: line, fields: { stream } };
}

function unquote(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}
