import { describe, expect, test } from 'vitest';
import { outputLine } from '../../../src/supervisor/output-line.js';

describe('a child output line in the journal', () => {
  test("the worker's JSON lines pass through unchanged", () => {
    const line = '{"level":"info","proc":"worker","msg":"worker started"}';
    expect(outputLine({ output: 'json' }, 'stdout', line)).toEqual({ raw: line });
  });

  test("the worker's plain stderr (a command error) becomes an error line of ours", () => {
    expect(outputLine({ output: 'json' }, 'stderr', 'Error: the database is at schema version 999.')).toEqual({ level: 'error', message: 'Error: the database is at schema version 999.', fields: { stream: 'stderr' } });
  });

  test("Litestream's logfmt keeps its message, level and fields", () => {
    const line = 'time=2026-11-24T12:43:15.638Z level=ERROR msg="sync error" db=/var/lib/botctl/botctl.db error="write /replica: no space left on device"';
    expect(outputLine({ output: 'logfmt' }, 'stderr', line)).toEqual({
      level: 'error', message: 'sync error', fields: { db: '/var/lib/botctl/botctl.db', error: 'write /replica: no space left on device' },
    });
    expect(outputLine({ output: 'logfmt' }, 'stdout', 'time=x level=INFO msg=litestream version=v0.3.13')).toEqual({ level: 'info', message: 'litestream', fields: { version: 'v0.3.13' } });
  });

  test('a Litestream line that is not logfmt (a Go panic) is kept whole', () => {
    expect(outputLine({ output: 'logfmt' }, 'stderr', 'panic: runtime error: index out of range')).toEqual({ level: 'error', message: 'panic: runtime error: index out of range', fields: { stream: 'stderr' } });
  });
});
