import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';

const T1 = '3f2a9c1d-0b7e-4d8c-9a51-2c4e6f8a0b1d';
const T2 = '77aa0000-1111-4222-8333-444455556666';
let cell: TempCell;
let file: string;

/** Lines as the worker writes them (the real logger), plus an old one, a stack trace line and a systemd line. */
function workerLines(ids: { smile: number; bolt: number }): string[] {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', base: { proc: 'worker' }, destination: { write: (line: string) => lines.push(line.trimEnd()) } });
  logger.info({ tenant: 'smile' }, 'webhook accepted');
  logger.child({ job: 11, kind: 'handle_inbound', trace: T1, tenantId: ids.smile }).warn({ attempt: '1/5', err: 'the LLM failed (500)' }, 'job failed; will retry');
  logger.child({ job: 12, kind: 'deliver_message', trace: T2, tenantId: ids.bolt }).error({ attempt: '1/10', err: new Error('token revoked') }, 'job dead (permanent error)');
  logger.debug({ tenant: 'bolt', phone: '77011234567' }, 'webhook accepted');
  logger.child({ job: 11, kind: 'handle_inbound', trace: T1, tenantId: ids.smile }).info({ attempt: '2/5', ms: 840 }, 'job done');
  const old = JSON.parse(lines[0]!) as Record<string, unknown>;
  lines.push(JSON.stringify({ ...old, time: new Date(Date.now() - 3 * 3_600_000).toISOString(), msg: 'an old line' }));
  lines.push('    at JobRunner.execute (file:///opt/botctl/dist/src/jobs/runner.js:120:9)');
  lines.push('Started botctl.service - botctl cell.');
  return lines;
}

beforeAll(async () => {
  cell = await initCell();
  for (const [slug, phone, chat] of [['smile', '1000001', '-100123'], ['bolt', '2000002', '-100124']] as const) {
    const added = await botctl(['tenant', 'add', slug, '--name', slug, '--timezone', 'Asia/Almaty', '--whatsapp-phone-number-id', phone, '--whatsapp-token', `EAAG${slug}token0123456789abcdefghij`, '--telegram-chat-id', chat], cell.env);
    expect(added.exitCode, added.stderr).toBe(0);
  }
  const db = new Database(join(cell.dataDir, 'botctl.db'), { readonly: true });
  const id = (slug: string) => (db.prepare('SELECT id FROM tenants WHERE slug = ?').get(slug) as { id: number }).id;
  const ids = { smile: id('smile'), bolt: id('bolt') };
  db.close();
  file = join(cell.dir, 'worker.log');
  writeFileSync(file, `${workerLines(ids).join('\n')}\n`);
}, 60_000);

const CLI_TIMEOUT = 60_000;
const logs = (args: string[], env = cell.env, input?: string) => botctl(['logs', ...args], env, input === undefined ? {} : { input });
const messages = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('botctl logs', () => {
  test('--tenant matches the slug on webhook lines and the tenant id on job lines (resolved from the cell)', { timeout: CLI_TIMEOUT }, async () => {
    const result = await logs(['--file', file, '--tenant', 'smile', '--json']);
    expect(result.stderr).toBe('');
    expect(messages(result.stdout)).toEqual(['webhook accepted', 'job failed; will retry', 'job done', 'an old line']);
    expect(messages((await logs(['--file', file, '--tenant', 'bolt', '--json'])).stdout)).toEqual(['job dead (permanent error)', 'webhook accepted']);
  });

  test('--trace, by the whole id or its first 8 characters', { timeout: CLI_TIMEOUT }, async () => {
    for (const trace of [T1, T1.slice(0, 8)]) {
      expect(messages((await logs(['--file', file, '--trace', trace, '--json'])).stdout)).toEqual(['job failed; will retry', 'job done']);
    }
    expect(messages((await logs(['--file', file, '--trace', T2, '--json'])).stdout)).toEqual(['job dead (permanent error)']);
  });

  test('--level is the lowest level shown; --since drops older lines; filters combine; non-JSON lines drop out', { timeout: CLI_TIMEOUT }, async () => {
    expect(messages((await logs(['--file', file, '--level', 'warn', '--json'])).stdout)).toEqual(['job failed; will retry', 'job dead (permanent error)']);
    expect(messages((await logs(['--file', file, '--since', '1h', '--json'])).stdout)).not.toContain('an old line');
    expect(messages((await logs(['--file', file, '--since', '4h', '--json'])).stdout)).toContain('an old line');
    expect(messages((await logs(['--file', file, '--tenant', 'smile', '--level', 'warn', '--json'])).stdout)).toEqual(['job failed; will retry']);
    const bad = await logs(['--file', file, '--since', 'yesterday']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toBe('Error: --since "yesterday" is neither a duration nor a time: write it like 30m, 2h, 1d, or 2025-06-01T09:00:00Z.');
  });

  test('without filters every line passes, pretty-printed: time, level, process, tenant, short trace, message, fields', { timeout: CLI_TIMEOUT }, async () => {
    const result = await logs(['--file', file]);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((l) => l.includes('job failed'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN  \[worker\] smile 3f2a9c1d  job failed; will retry  job=11 kind=handle_inbound attempt=1\/5 err="the LLM failed \(500\)"$/);
    expect(lines.find((l) => l.includes('job dead'))).toMatch(/ ERROR \[worker\] bolt 77aa0000  job dead \(permanent error\)  job=12 kind=deliver_message attempt=1\/10 err="Error: token revoked"$/);
    expect(lines[lines.findIndex((l) => l.includes('job dead')) + 1]).toMatch(/^ {4}at /);
    expect(lines.find((l) => l.includes('DEBUG'))).toContain('phone=770******67');
    expect(result.stdout).toContain('    at JobRunner.execute (file:///opt/botctl/dist/src/jobs/runner.js:120:9)');
    expect(result.stdout).toContain('Started botctl.service - botctl cell.');
    expect(result.stdout).not.toContain('77011234567');
  });

  test('reads stdin with --file -, and says so when nothing matched', { timeout: CLI_TIMEOUT }, async () => {
    const input = `${JSON.stringify({ level: 'info', time: new Date().toISOString(), tenant: 'smile', msg: 'from stdin' })}\nnot json\n`;
    expect(messages((await logs(['--file', '-', '--tenant', 'smile', '--json'], cell.env, input)).stdout)).toEqual(['from stdin']);
    const none = await logs(['--file', file, '--trace', '00000000-0000-4000-8000-000000000000']);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`no line matched among 8 read from ${file}`);
  });

  test('away from the cell (no env file) --tenant still matches the lines that name the slug, and says why it can do no more', { timeout: CLI_TIMEOUT }, async () => {
    const result = await logs(['--file', file, '--tenant', 'smile', '--json'], { BOTCTL_ENV_FILE: join(cell.dir, 'missing.env') });
    expect(result.exitCode).toBe(0);
    expect(messages(result.stdout)).toEqual(['webhook accepted', 'an old line']);
    expect(result.stderr).toMatch(/^note: the cell could not be opened \(.+\); matching lines by tenant slug only$/);
  });
});
