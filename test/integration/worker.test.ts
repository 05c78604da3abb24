import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { botctl, initCell, RUN_JS, type TempCell } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';

const children: ResultPromise[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startWorker(cell: TempCell, port: number, extraEnv: Record<string, string> = {}) {
  const child = execa(process.execPath, ['--', RUN_JS, 'worker', '--http-host', '127.0.0.1', '--http-port', String(port)], {
    env: { PATH: process.env.PATH ?? '', ...cell.env, ...extraEnv },
    extendEnv: false,
    reject: false,
    all: true,
  });
  children.push(child);
  const lines: string[] = [];
  child.all?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { child, lines };
}

describe('botctl worker', () => {
  test('serves health, logs JSON without secrets, and drains on SIGTERM with exit 0', async () => {
    const cell = await initCell();
    const port = await freePort();
    const oaiKey = 'sk-test-abcdefghijklmnopqrstuvwxyz0123';
    const { child, lines } = startWorker(cell, port, { OPENAI_API_KEY: oaiKey, BOTCTL_LOG_LEVEL: 'debug' });
    await until(() => lines.some((l) => l.includes('worker started')), 15_000, 'worker started');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, failing: [], checks: { database: { ok: true }, eventLoop: { ok: true } } });
    const ready = await until(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return res.status === 200 ? res.json() : null;
    }, 5000, 'readyz');
    expect(ready).toMatchObject({ ok: true });
    const missing = await fetch(`http://127.0.0.1:${port}/nope`);
    expect(missing.status).toBe(404);

    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    const output = lines.join('\n');
    expect(output).toContain('worker stopped');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).not.toContain(cell.secretKey);
    expect(output).not.toContain(oaiKey);
  }, 30_000);

  test('refuses a database written by a newer botctl and changes nothing', async () => {
    const cell = await initCell();
    const db = new Database(join(cell.dataDir, 'botctl.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)").run();
    db.close();
    const before = readFileSync(join(cell.dataDir, 'botctl.db'));
    const port = await freePort();
    const { child } = startWorker(cell, port);
    const result = await child;
    expect(result.exitCode).not.toBe(0);
    expect(String(result.all)).toMatch(/schema version 999, newer than this botctl knows \(\d+\): upgrade botctl/);
    expect(readFileSync(join(cell.dataDir, 'botctl.db')).equals(before)).toBe(true);
  }, 30_000);

  test('a port already in use is reported with the setting that fixes it', async () => {
    const cell = await initCell();
    const port = await freePort();
    const first = startWorker(cell, port);
    await until(() => first.lines.some((l) => l.includes('worker started')), 15_000, 'first worker');
    const second = await botctl(['worker', '--http-host', '127.0.0.1', '--http-port', String(port)], cell.env);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use: stop the other process, or set BOTCTL_HTTP_PORT`);
  }, 30_000);
});
