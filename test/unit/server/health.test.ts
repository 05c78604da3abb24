import { afterEach, describe, expect, test } from 'vitest';
import { EventLoopLag } from '../../../src/observability/event-loop-lag.js';
import { WorkerMetrics } from '../../../src/observability/metrics.js';
import { createServer, type ReadinessCheck } from '../../../src/server/create-server.js';
import { knownMigrations } from '../../../src/storage/migrate.js';
import { openDatabase } from '../../../src/storage/open-db.js';
import { migratedDb } from '../../helpers/migrated-db.js';

const LATEST = knownMigrations().at(-1)!.version;
// The shipped migration before the latest (numbers can have gaps while work is merged).
const PREVIOUS = knownMigrations().at(-2)!.version;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function lag(options: { windowMs?: number; resolutionMs?: number } = {}) {
  const loop = new EventLoopLag({ windowMs: options.windowMs ?? 10_000, resolutionMs: options.resolutionMs ?? 20 });
  cleanup.push(() => loop.stop());
  return loop;
}

function server(overrides: Partial<Parameters<typeof createServer>[0]> = {}, migrateTo?: number) {
  const { db, dataDir } = migratedDb(migrateTo);
  cleanup.push(() => db.close());
  const readiness: ReadinessCheck[] = [];
  const app = createServer({ db, runnerTickAt: () => Date.now(), readiness, eventLoop: lag(), ...overrides });
  return { app, readiness, dataDir, db };
}

async function get(app: ReturnType<typeof createServer>, path: string) {
  const response = await app.request(path);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('/healthz: alive', () => {
  test('answers every check with its measures', async () => {
    const { app } = server();
    const { status, body } = await get(app, '/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      failing: [],
      checks: { eventLoop: { ok: true, p99Ms: expect.any(Number), maxMs: expect.any(Number), limitMs: 1000 }, database: { ok: true } },
    });
  });

  test('a database that cannot be written fails with the reason and the fix', async () => {
    const { dataDir } = server();
    const readonly = openDatabase(dataDir, { readonly: true });
    cleanup.push(() => readonly.close());
    const app = createServer({ db: readonly, runnerTickAt: () => Date.now(), eventLoop: lag() });
    const { status, body } = await get(app, '/healthz');
    expect(status).toBe(503);
    expect(body.failing).toEqual(['database']);
    expect(body.checks.database).toMatchObject({ ok: false, detail: expect.stringMatching(/^database not writable: .*readonly/), fix: expect.stringContaining('disk space') });
    expect(body.checks.eventLoop.ok).toBe(true);
  });

  test('an event loop that stalls past the limit fails with the measured delay', async () => {
    const { app } = server({ eventLoop: lag({ windowMs: 60_000, resolutionMs: 10 }), eventLoopLimitMs: 200 });
    for (let i = 0; i < 3; i++) {
      const until = Date.now() + 350;
      while (Date.now() < until);
      await new Promise((r) => setTimeout(r, 15));
    }
    const { status, body } = await get(app, '/healthz');
    expect(status).toBe(503);
    expect(body.failing).toEqual(['eventLoop']);
    expect(body.checks.eventLoop.p99Ms).toBeGreaterThanOrEqual(200);
    expect(body.checks.eventLoop.detail).toMatch(/^event loop delay p99 \d+(\.\d)? ms over the last window \(limit 200 ms\)/);
    expect(body.checks.database.ok).toBe(true);
  });
});

describe('/readyz: able to work', () => {
  test('schema current, job runner turning, registered checks: all listed', async () => {
    const { app, readiness } = server();
    readiness.push({ name: 'telegram', check: () => ({ ok: true, detail: 'polled 2 s ago' }) });
    const { status, body } = await get(app, '/readyz');
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      failing: [],
      checks: {
        schema: { ok: true, current: LATEST, latest: LATEST },
        jobRunner: { ok: true, lastTickMsAgo: expect.any(Number) },
        telegram: { ok: true, detail: 'polled 2 s ago' },
      },
    });
  });

  test('a registered check that fails (or throws) makes it unready, with its reason', async () => {
    const { app, readiness } = server();
    readiness.push({ name: 'telegram', check: () => ({ ok: false, detail: 'getUpdates failed 5 times: 401 Unauthorized' }) });
    readiness.push({ name: 'scheduler', check: () => { throw new Error('boom'); } });
    const { status, body } = await get(app, '/readyz');
    expect(status).toBe(503);
    expect(body.failing).toEqual(['telegram', 'scheduler']);
    expect(body.checks.telegram).toEqual({ ok: false, detail: 'getUpdates failed 5 times: 401 Unauthorized' });
    expect(body.checks.scheduler).toEqual({ ok: false, detail: 'the check threw: boom' });
    expect(body.checks.jobRunner.ok).toBe(true);
  });

  test('a job runner that stopped turning, and one that never turned', async () => {
    const stalled = server({ runnerTickAt: () => Date.now() - 30_000 });
    const a = await get(stalled.app, '/readyz');
    expect(a.status).toBe(503);
    expect(a.body.checks.jobRunner).toMatchObject({ ok: false, detail: 'the job runner last read the queue 30 s ago', fix: expect.any(String) });
    const never = server({ runnerTickAt: () => 0 });
    const b = await get(never.app, '/readyz');
    expect(b.body.checks.jobRunner).toMatchObject({ ok: false, lastTickMsAgo: null, detail: 'the job runner has not read the queue yet' });
  });

  test('a schema behind this botctl is not ready, and says which migrations are missing', async () => {
    const { app } = server({}, PREVIOUS);
    const { status, body } = await get(app, '/readyz');
    expect(status).toBe(503);
    expect(body.failing).toEqual(['schema']);
    expect(body.checks.schema).toEqual({
      ok: false, current: PREVIOUS, latest: LATEST,
      detail: `schema ${PREVIOUS}, migrations up to ${LATEST} not applied`, fix: 'run botctl migrate, or restart the worker (it migrates on start)',
    });
  });
});

describe('/metrics', () => {
  test('Prometheus text with its content type when the worker has metrics; 404 without', async () => {
    const { db } = migratedDb();
    cleanup.push(() => db.close());
    const metrics = new WorkerMetrics({ db });
    cleanup.push(() => metrics.stop());
    const app = createServer({ db, runnerTickAt: () => Date.now(), metrics });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE botctl_jobs gauge');
    expect(text).toContain('botctl_jobs_dead 0');
    const without = createServer({ db, runnerTickAt: () => Date.now() });
    expect((await without.request('/metrics')).status).toBe(404);
  });
});
