import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { maskPhone, PHONE_FIELDS, PHONE_PATHS, scrubText, SECRET_PATHS } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; stdout (journald) by default, pretty-printed when stdout is a terminal. */
  destination?: { write(line: string): unknown };
  pretty?: boolean;
  /** Bound to every line, e.g. `{ proc: 'worker' }`. */
  base?: Record<string, unknown>;
}

/**
 * The process logger: JSON lines, secrets redacted by field name and scrubbed from text, phone numbers masked.
 * Lines about a message carry `tenant` and `trace` (use `logger.child({ tenant, trace })`).
 */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.destination ?? (options.pretty ?? process.stdout.isTTY ? pretty({ colorize: true, destination: 1 }) : process.stdout);
  const scrubbing: DestinationStream = { write: (line: string) => void target.write(scrubText(line)) };
  return pino(
    {
      level: options.level,
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [...SECRET_PATHS, ...PHONE_PATHS],
        censor: (value: unknown, path: string[]) => (PHONE_FIELDS.has(path.at(-1) ?? '') ? maskPhone(value) : '[REDACTED]'),
      },
    },
    scrubbing,
  );
}
