import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { PermanentJobError, TransientJobError } from '../../../src/jobs/errors.js';
import { Queue } from '../../../src/jobs/queue.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { JobRunner, type RunnerOptions } from '../../../src/jobs/runner.js';
import type { Job } from '../../../src/jobs/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { JobStore } from '../../../src/storage/job-store.js';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../../src/storage/open-db.js';
import { until } from '../../helpers/until.js';

/** A row of `jobs` exactly as stored (snake_case), so assertions read the database, not the runner's memory. */
interface JobRow {
  id: number;
  kind: string;
  tenant_id: number | null;
  payload: string;
  concurrency_key: string | null;
  unique_key: string | null;
  state: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  trace_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ALMOST_ONE = 1 - Number.EPSILON;

/** A handler that never settles on its own; it rejects when its signal aborts (timeout or stop). */
function hangUntilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** One temporary cell database with the real store, registry, queue and runners over it. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'botctl-jobs-'));
  readonly db: Db;
  readonly store: JobStore;
  readonly registry = new JobRegistry();
  readonly queue: Queue;
  readonly lines: string[] = [];
  readonly logger = createLogger({ level: 'debug', destination: { write: (line: string) => this.lines.push(line) } });
  readonly runners: JobRunner[] = [];

  constructor() {
    this.db = openDatabase(this.dir);
    applyMigrations(this.db);
    this.store = new JobStore(this.db);
    this.queue = new Queue(this.store, this.registry);
  }

  /** A started runner, woken by enqueues like the worker wires it. */
  runner(options: Partial<RunnerOptions> = {}): JobRunner {
    const runner = new JobRunner(this.store, this.registry, this.logger, { concurrency: 4, leaseMs: 2000, pollMs: 25, ...options });
    this.queue.onEnqueue(() => runner.wake());
    this.runners.push(runner);
    runner.start();
    return runner;
  }

  row(id: number): JobRow {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new Error(`job ${id} is not in the database`);
    return row;
  }

  rows(): JobRow[] {
    return this.db.prepare('SELECT * FROM jobs ORDER BY id').all() as JobRow[];
  }

  logs(): LogEntry[] {
    return this.lines.map((line) => JSON.parse(line) as LogEntry);
  }

  async close(): Promise<void> {
    for (const runner of this.runners) {
      try {
        await runner.stop(0);
      } catch {
        // a test about a failing stop() has already asserted what it needed
      }
    }
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const harnesses: Harness[] = [];
function harness(): Harness {
  const h = new Harness();
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe('JobRunner over a real SQLite queue', () => {
  test('runs a job to done once, with the payload it was given, and logs one line for the outcome', async () => {
    const h = harness();
    const seen: Job[] = [];
    h.registry.register('test.ok', async (job) => {
      seen.push(job);
    }, { maxAttempts: 5 });
    h.runner();
    const before = Date.now();
    const id = h.queue.enqueue({ kind: 'test.ok', payload: { to: 'contact-7', text: 'hello' }, traceId: 'trace-1' });

    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'job done');
    expect(row.attempts).toBe(1);
    expect(row.max_attempts).toBe(5); // from the kind's policy
    expect(row.locked_until).toBeNull();
    expect(row.last_error).toBeNull();
    expect(row.finished_at).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(row.payload)).toEqual({ to: 'contact-7', text: 'hello' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, kind: 'test.ok', payload: { to: 'contact-7', text: 'hello' }, attempts: 1, traceId: 'trace-1' });

    const outcome = h.logs().filter((l) => l.job === id && l.msg === 'job done');
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatchObject({ level: 'info', kind: 'test.ok', attempt: '1/5', trace: 'trace-1' });
    expect(typeof outcome[0]!.ms).toBe('number');
  });

  test('a PermanentJobError makes the job dead after exactly one attempt, with the message in last_error', async () => {
    const h = harness();
    let calls = 0;
    h.registry.register('test.permanent', async () => {
      calls++;
      throw new PermanentJobError('(#131047) more than 24 hours since the customer wrote', 'send an approved template');
    }, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 });
    h.runner();
    const id = h.queue.enqueue({ kind: 'test.permanent' });

    const row = await until(() => (h.row(id).state === 'dead' ? h.row(id) : null), 5000, 'job dead');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe(
      'permanent error: PermanentJobError: (#131047) more than 24 hours since the customer wrote (fix: send an approved template)',
    );
    expect(row.finished_at).not.toBeNull();
    expect(row.locked_until).toBeNull();
    expect(calls).toBe(1);
    expect(h.logs().filter((l) => l.job === id && l.level === 'error' && l.msg === 'job dead (permanent error)')).toHaveLength(1);
  });

  test('a transient failure puts the job back to pending with a jittered delay, and exhausting attempts makes it dead', async () => {
    const h = harness();
    const randoms = [0.5, ALMOST_ONE];
    const attempts: { attempt: number; startedAt: number; failedAt: number; runAt: number; lastError: string | null }[] = [];
    h.registry.register('test.flaky', async (job) => {
      const startedAt = Date.now();
      attempts.push({ attempt: job.attempts, startedAt, failedAt: Date.now(), runAt: job.runAt, lastError: job.lastError });
      throw new TransientJobError(`502 from upstream on attempt ${job.attempts}`);
    }, { maxAttempts: 3, baseDelayMs: 400, maxDelayMs: 500, timeoutMs: 5000 });
    h.runner({ random: () => randoms.shift() ?? 0 });
    const id = h.queue.enqueue({ kind: 'test.flaky' });

    // Attempt 1 failed: ceiling = base·2^0 = 400, random 0.5 → 200 ms.
    const afterFirst = await until(() => {
      const r = h.row(id);
      return r.state === 'pending' && r.attempts === 1 ? r : null;
    }, 5000, 'first retry scheduled');
    expect(afterFirst.run_at - afterFirst.updated_at).toBe(200);
    expect(afterFirst.run_at).toBeGreaterThanOrEqual(attempts[0]!.failedAt + 200);
    expect(afterFirst.last_error).toBe('TransientJobError: 502 from upstream on attempt 1');
    expect(afterFirst.locked_by).toBeNull();
    expect(afterFirst.locked_until).toBeNull();

    const row = await until(() => (h.row(id).state === 'dead' ? h.row(id) : null), 5000, 'job dead');
    expect(row.attempts).toBe(3);
    expect(row.last_error).toBe('attempts exhausted: TransientJobError: 502 from upstream on attempt 3');
    expect(row.finished_at).not.toBeNull();
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Each retry was claimed with the run_at the failure stored, and did not start before it.
    expect(attempts[1]!.runAt - attempts[0]!.failedAt).toBeGreaterThanOrEqual(200);
    expect(attempts[1]!.runAt - attempts[0]!.failedAt).toBeLessThan(200 + 150);
    expect(attempts[1]!.startedAt).toBeGreaterThanOrEqual(attempts[1]!.runAt);
    expect(attempts[1]!.lastError).toBe('TransientJobError: 502 from upstream on attempt 1');
    // Attempt 2 failed: ceiling = min(500, 400·2) = 500, random ≈1 → 499 ms.
    expect(attempts[2]!.runAt - attempts[1]!.failedAt).toBeGreaterThanOrEqual(499);
    expect(attempts[2]!.runAt - attempts[1]!.failedAt).toBeLessThan(499 + 150);
    expect(attempts[2]!.startedAt).toBeGreaterThanOrEqual(attempts[2]!.runAt);

    const retries = h.logs().filter((l) => l.job === id && l.msg === 'job failed; will retry');
    expect(retries.map((l) => [l.attempt, l.retryInMs])).toEqual([['1/3', 200], ['2/3', 499]]);
    expect(h.logs().filter((l) => l.job === id && l.msg === 'job dead (attempts exhausted)')).toHaveLength(1);
  }, 15_000);

  test('with the default random the retry is due somewhere in [now, now + ceiling]', async () => {
    const h = harness();
    const failures: { failedAt: number }[] = [];
    const retries: Job[] = [];
    h.registry.register('test.once', async (job) => {
      if (job.attempts === 1) {
        failures.push({ failedAt: Date.now() });
        throw new Error('connection reset');
      }
      retries.push(job);
    }, { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 10_000 });
    h.runner();
    const id = h.queue.enqueue({ kind: 'test.once' });

    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'job done');
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBe('Error: connection reset');
    const delay = retries[0]!.runAt - failures[0]!.failedAt;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(300 + 100);
    const logged = h.logs().find((l) => l.job === id && l.msg === 'job failed; will retry');
    expect(logged?.retryInMs).toBeGreaterThanOrEqual(0);
    expect(logged?.retryInMs).toBeLessThanOrEqual(300);
  });

  test('retryAfterMs from the error is honoured even when the jitter would retry at once', async () => {
    const h = harness();
    const runs: { attempt: number; at: number; runAt: number }[] = [];
    h.registry.register('test.ratelimited', async (job) => {
      runs.push({ attempt: job.attempts, at: Date.now(), runAt: job.runAt });
      if (job.attempts === 1) throw Object.assign(new TransientJobError('429 rate limited', 400), { hint: 'wait' });
    }, { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 });
    h.runner({ random: () => 0 });
    const id = h.queue.enqueue({ kind: 'test.ratelimited' });

    const pending = await until(() => {
      const r = h.row(id);
      return r.state === 'pending' && r.attempts === 1 ? r : null;
    }, 5000, 'retry scheduled');
    expect(pending.run_at - pending.updated_at).toBe(400);
    expect(pending.last_error).toBe('TransientJobError: 429 rate limited (fix: wait)');

    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'job done');
    expect(row.attempts).toBe(2);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.runAt).toBe(pending.run_at);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(400);
  });

  test('a job enqueued in a transaction that rolls back never exists; one that commits runs', async () => {
    const h = harness();
    const ran: number[] = [];
    h.registry.register('test.reply', async (job) => {
      ran.push(job.id);
    });
    h.runner();
    const addTenant = h.db.prepare(
      "INSERT INTO tenants (slug, name, timezone, created_at, updated_at) VALUES (?, ?, 'Asia/Almaty', 0, 0) RETURNING id",
    );
    const withTenant = (slug: string, fail: boolean) =>
      h.db.transaction(() => {
        const { id: tenantId } = addTenant.get(slug, slug) as { id: number };
        const jobId = h.queue.enqueue({ kind: 'test.reply', tenantId, payload: { slug } });
        if (fail) throw new Error('the message insert failed');
        return jobId;
      })();

    expect(() => withTenant('rolled-back', true)).toThrow('the message insert failed');
    expect(h.rows()).toHaveLength(0);
    expect(h.db.prepare('SELECT count(*) AS n FROM tenants').get()).toEqual({ n: 0 });

    const committed = withTenant('committed', false);
    await until(() => h.row(committed).state === 'done', 5000, 'committed job done');
    const rows = h.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(committed);
    expect(JSON.parse(rows[0]!.payload)).toEqual({ slug: 'committed' });
    expect(ran).toEqual([committed]);
  });

  test('a unique key replaces the pending job (payload and run_at) instead of adding a second one', () => {
    const h = harness();
    h.registry.register('test.remind', async () => {});
    const now = Date.now();
    const first = h.queue.enqueue({ kind: 'test.remind', uniqueKey: 'remind:handover:9', payload: { n: 1 }, runAt: now + 60_000, traceId: 't1' });
    const second = h.queue.enqueue({ kind: 'test.remind', uniqueKey: 'remind:handover:9', payload: { n: 2 }, runAt: now + 120_000, traceId: 't2' });
    const other = h.queue.enqueue({ kind: 'test.remind', uniqueKey: 'remind:handover:10', payload: { n: 3 }, runAt: now + 60_000 });
    const unkeyedA = h.queue.enqueue({ kind: 'test.remind', payload: { n: 4 } });
    const unkeyedB = h.queue.enqueue({ kind: 'test.remind', payload: { n: 4 } });

    expect(second).toBe(first);
    expect(new Set([first, other, unkeyedA, unkeyedB]).size).toBe(4);
    const rows = h.db.prepare("SELECT * FROM jobs WHERE unique_key = 'remind:handover:9'").all() as JobRow[];
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.payload)).toEqual({ n: 2 });
    expect(rows[0]!.run_at).toBe(now + 120_000);
    expect(rows[0]!.trace_id).toBe('t2');
    expect(rows[0]!.state).toBe('pending');
    expect(h.rows()).toHaveLength(4);
  });

  test('a unique key adds a new job once the earlier one has finished', async () => {
    const h = harness();
    const payloads: unknown[] = [];
    h.registry.register('test.remind', async (job) => {
      payloads.push(job.payload);
    });
    h.runner();
    const first = h.queue.enqueue({ kind: 'test.remind', uniqueKey: 'remind:1', payload: { n: 1 } });
    await until(() => h.row(first).state === 'done', 5000, 'first done');
    const second = h.queue.enqueue({ kind: 'test.remind', uniqueKey: 'remind:1', payload: { n: 2 } });
    expect(second).not.toBe(first);
    await until(() => h.row(second).state === 'done', 5000, 'second done');
    expect(h.rows().map((r) => [r.id, r.state])).toEqual([[first, 'done'], [second, 'done']]);
    expect(payloads).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('a job going back to pending while a newer job with its unique key is pending breaks neither retries nor lease recovery', async () => {
    // Job A (unique key u) is running when a newer job B with key u is enqueued, e.g. a reminder rescheduled an
    // hour ahead (allowed: the unique index covers pending rows only). A then fails transiently, and retryLater
    // sets it back to pending next to B.
    const h = harness();
    let aRuns = 0;
    h.registry.register('test.unique', async (job) => {
      if (job.payload.name === 'A' && ++aRuns === 1) {
        h.queue.enqueue({ kind: 'test.unique', uniqueKey: 'u', payload: { name: 'B' }, runAt: Date.now() + 3_600_000 });
        throw new TransientJobError('503');
      }
    }, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
    h.registry.register('test.other', async () => {});
    // A job whose worker died, with no unique key: lease recovery must bring it back whatever else is in the queue.
    const now = Date.now();
    const orphan = h.store.enqueue({ kind: 'test.other', maxAttempts: 3 }, now);
    h.db.prepare("UPDATE jobs SET state = 'running', attempts = 1, locked_by = 'crashed', locked_until = ? WHERE id = ?").run(now + 600, orphan);
    h.runner({ leaseMs: 300, random: () => 0 });
    const a = h.queue.enqueue({ kind: 'test.unique', uniqueKey: 'u', payload: { name: 'A' } });
    await until(() => aRuns >= 1, 5000, 'A ran once');

    const errors = () => h.logs().filter((l) => l.level === 'error');
    await until(() => h.row(orphan).state === 'done' || errors().length > 1, 4000, 'the orphaned job recovered after its lease expired');
    expect(errors().map((l) => `${l.msg}: ${JSON.stringify(l.err)}`)).toEqual([]);
    expect(h.row(orphan)).toMatchObject({ state: 'done', attempts: 2 });
    expect(h.row(a).state).not.toBe('running');
    const b = h.db.prepare("SELECT * FROM jobs WHERE unique_key = 'u' AND state = 'pending' AND id <> ?").get(a) as JobRow | undefined;
    expect(JSON.parse(b?.payload ?? '{}')).toEqual({ name: 'B' });
  }, 15_000);

  test('jobs sharing a concurrency key never overlap and run in id order; different keys run concurrently', async () => {
    const h = harness();
    const intervals: { id: number; key: string; start: number; end: number }[] = [];
    const active = new Map<string, number>();
    let maxSameKey = 0;
    h.registry.register('test.keyed', async (job) => {
      const key = job.concurrencyKey!;
      const n = (active.get(key) ?? 0) + 1;
      active.set(key, n);
      maxSameKey = Math.max(maxSameKey, n);
      const start = Date.now();
      await sleep(40);
      intervals.push({ id: job.id, key, start, end: Date.now() });
      active.set(key, n - 1);
    });
    const now = Date.now();
    const ids: Record<string, number[]> = { 'contact:1': [], 'contact:2': [], 'contact:3': [] };
    for (let i = 0; i < 4; i++) {
      for (const key of ['contact:1', 'contact:2']) ids[key]!.push(h.queue.enqueue({ kind: 'test.keyed', concurrencyKey: key, payload: { i } }));
    }
    // A younger job due earlier must still wait for the older job of its key.
    ids['contact:3']!.push(h.queue.enqueue({ kind: 'test.keyed', concurrencyKey: 'contact:3', runAt: now }));
    ids['contact:3']!.push(h.queue.enqueue({ kind: 'test.keyed', concurrencyKey: 'contact:3', runAt: now - 10_000 }));
    h.runner({ concurrency: 8 });

    await until(() => h.rows().every((r) => r.state === 'done'), 10_000, 'all keyed jobs done');
    expect(h.rows()).toHaveLength(10);
    for (const r of h.rows()) expect(r.attempts).toBe(1);
    expect(maxSameKey).toBe(1);
    for (const [key, keyIds] of Object.entries(ids)) {
      const runs = intervals.filter((i) => i.key === key).sort((x, y) => x.start - y.start);
      expect(runs.map((r) => r.id)).toEqual(keyIds);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
    }
    const firstOf = (key: string) => intervals.find((i) => i.id === ids[key]![0])!;
    const [one, two, three] = [firstOf('contact:1'), firstOf('contact:2'), firstOf('contact:3')];
    expect(two.start).toBeLessThan(one.end);
    expect(one.start).toBeLessThan(two.end);
    expect(three.start).toBeLessThan(one.end);
  }, 15_000);

  test('the concurrency limit is reached and never exceeded', async () => {
    const h = harness();
    let inFlight = 0;
    let maxInFlight = 0;
    let maxRunningRows = 0;
    const countRunning = h.db.prepare("SELECT count(*) AS n FROM jobs WHERE state = 'running'");
    h.registry.register('test.slow', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      maxRunningRows = Math.max(maxRunningRows, (countRunning.get() as { n: number }).n);
      await sleep(30);
      inFlight--;
    });
    for (let i = 0; i < 20; i++) h.queue.enqueue({ kind: 'test.slow', payload: { i } });
    const runner = h.runner({ concurrency: 3 });
    let maxActive = 0;
    await until(() => {
      maxActive = Math.max(maxActive, runner.activeCount);
      return h.rows().every((r) => r.state === 'done');
    }, 10_000, 'all 20 jobs done');

    expect(h.rows()).toHaveLength(20);
    expect(h.rows().every((r) => r.attempts === 1)).toBe(true);
    expect(maxInFlight).toBe(3);
    expect(maxRunningRows).toBeLessThanOrEqual(3);
    expect(maxRunningRows).toBeGreaterThanOrEqual(2);
    expect(maxActive).toBeLessThanOrEqual(3);
  }, 15_000);

  test('a running job whose lease expired is swept back to pending and runs again; a live lease is left alone', async () => {
    const h = harness();
    const ran: Job[] = [];
    h.registry.register('test.lease', async (job) => {
      ran.push(job);
    }, { maxAttempts: 3 });
    const now = Date.now();
    const setRunning = h.db.prepare("UPDATE jobs SET state = 'running', attempts = ?, locked_by = ?, locked_until = ? WHERE id = ?");
    const expired = h.store.enqueue({ kind: 'test.lease', maxAttempts: 3, payload: { which: 'expired' } }, now - 5000);
    setRunning.run(1, 'gone-host:123', now - 1, expired);
    const live = h.store.enqueue({ kind: 'test.lease', maxAttempts: 3, payload: { which: 'live' } }, now - 5000);
    setRunning.run(1, 'other-host:456', now + 60_000, live);
    const lastTry = h.store.enqueue({ kind: 'test.lease', maxAttempts: 3, payload: { which: 'last' } }, now - 5000);
    setRunning.run(3, 'gone-host:123', now - 1, lastTry);

    h.runner({ leaseMs: 1000 });
    const row = await until(() => (h.row(expired).state === 'done' ? h.row(expired) : null), 5000, 'expired job done');
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBe('lease expired after attempt 1: the worker running it stopped (crash, kill or hang)');
    expect(ran.map((j) => [j.id, j.attempts])).toEqual([[expired, 2]]);

    const dead = h.row(lastTry);
    expect(dead.state).toBe('dead');
    expect(dead.attempts).toBe(3);
    expect(dead.last_error).toBe('lease expired after attempt 3: the worker running it stopped (crash, kill or hang)');
    expect(dead.finished_at).not.toBeNull();

    const untouched = h.row(live);
    expect(untouched).toMatchObject({ state: 'running', attempts: 1, locked_by: 'other-host:456', locked_until: now + 60_000, last_error: null });

    const warnings = h.logs().filter((l) => l.level === 'warn');
    expect(warnings.filter((l) => l.job === expired && l.msg === 'job lease expired; job will run again')).toHaveLength(1);
    expect(warnings.filter((l) => l.job === lastTry && l.msg === 'job lease expired on its last attempt; job is dead')).toHaveLength(1);
  });

  test('leases of running jobs are renewed, so a job longer than the lease is not run twice', async () => {
    const h = harness();
    let runs = 0;
    h.registry.register('test.long', async () => {
      runs++;
      await sleep(500);
    });
    h.runner({ leaseMs: 150, pollMs: 20 });
    // A second runner on the same queue sweeps expired leases; it must find none while the first one is alive.
    h.runner({ leaseMs: 150, pollMs: 20, workerId: 'second' });
    const id = h.queue.enqueue({ kind: 'test.long' });
    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'long job done');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBeNull();
    expect(runs).toBe(1);
  });

  test('stop(deadline) lets quick jobs finish and hands unfinished ones back without counting the attempt', async () => {
    const h = harness();
    const signals: AbortSignal[] = [];
    h.registry.register('test.quick', async () => {
      await sleep(120);
    });
    h.registry.register('test.hang', async (_job, { signal }) => {
      signals.push(signal);
      await hangUntilAborted(signal);
    }, { timeoutMs: 60_000 });
    h.registry.register('test.deaf', async (_job, { signal }) => {
      signals.push(signal);
      await new Promise(() => {}); // ignores its signal
    }, { timeoutMs: 60_000 });
    const runner = h.runner({ concurrency: 3 });
    const quick = h.queue.enqueue({ kind: 'test.quick' });
    const hang = h.queue.enqueue({ kind: 'test.hang' });
    const deaf = h.queue.enqueue({ kind: 'test.deaf' });
    await until(() => signals.length === 2, 5000, 'both hanging handlers started');
    const waiting = h.queue.enqueue({ kind: 'test.quick', runAt: Date.now() + 60_000 });

    const startedStop = Date.now();
    const result = await runner.stop(250);
    expect(Date.now() - startedStop).toBeGreaterThanOrEqual(240);
    expect(result).toEqual({ finished: 1, released: 2 });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(String((signals[0]!.reason as Error).message)).toBe('worker stopping');

    expect(h.row(quick)).toMatchObject({ state: 'done', attempts: 1 });
    for (const id of [hang, deaf]) {
      expect(h.row(id)).toMatchObject({ state: 'pending', attempts: 0, locked_by: null, locked_until: null, last_error: null });
    }
    expect(h.row(waiting)).toMatchObject({ state: 'pending', attempts: 0 });
    // The aborted handler's rejection after stop is not recorded as a failure.
    await sleep(50);
    expect(h.row(hang)).toMatchObject({ state: 'pending', attempts: 0, last_error: null });
    expect(h.logs().filter((l) => l.msg === 'job failed; will retry' || l.level === 'error')).toEqual([]);
    // A stopped runner claims nothing, even when woken by an enqueue.
    const late = h.queue.enqueue({ kind: 'test.quick' });
    await sleep(150);
    expect(h.row(late)).toMatchObject({ state: 'pending', attempts: 0, locked_by: null });
  });

  test('a job released at stop runs again on the next runner', async () => {
    const h = harness();
    let release = false;
    const attempts: number[] = [];
    h.registry.register('test.hang', async (job, { signal }) => {
      attempts.push(job.attempts);
      if (!release) await hangUntilAborted(signal);
    });
    const first = h.runner();
    const id = h.queue.enqueue({ kind: 'test.hang' });
    await until(() => attempts.length === 1, 5000, 'handler started');
    expect(await first.stop(10)).toEqual({ finished: 0, released: 1 });
    expect(h.row(id)).toMatchObject({ state: 'pending', attempts: 0 });

    release = true;
    h.runner({ workerId: 'next' });
    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'job done on the next runner');
    expect(row.attempts).toBe(1);
    expect(row.locked_by).toBe('next');
    expect(attempts).toEqual([1, 1]);
  });

  test('a handler that times out while stop() waits for it is recorded or released, not left running', async () => {
    const h = harness();
    let started = 0;
    h.registry.register('test.slowtimeout', async (_job, { signal }) => {
      started++;
      await hangUntilAborted(signal);
    }, { timeoutMs: 100, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
    const runner = h.runner({ leaseMs: 60_000 });
    const id = h.queue.enqueue({ kind: 'test.slowtimeout' });
    await until(() => started === 1, 5000, 'handler started');
    await runner.stop(1000); // the 100 ms timeout fires while stop waits
    const row = h.row(id);
    // Either outcome is correct (a failed attempt to retry, or an interrupted one handed back); "running with a
    // 60 s lease held by a runner that has stopped" is not.
    expect(row.state).toBe('pending');
    expect(row.locked_by).toBeNull();
  });

  test('a handler exceeding timeoutMs is aborted and counted as a transient failure', async () => {
    const h = harness();
    const signals: AbortSignal[] = [];
    h.registry.register('test.timeout', async (job, { signal }) => {
      signals.push(signal);
      if (job.attempts === 1) await new Promise(() => {}); // ignores the abort: the runner must not wait for it
    }, { timeoutMs: 60, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
    h.registry.register('test.alwaysslow', async (_job, { signal }) => {
      await hangUntilAborted(signal);
    }, { timeoutMs: 40, maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
    h.runner({ random: () => 0 });
    const id = h.queue.enqueue({ kind: 'test.timeout' });
    const slow = h.queue.enqueue({ kind: 'test.alwaysslow' });

    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 5000, 'job done on attempt 2');
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBe('Error: timed out after 60 ms');
    expect(signals[0]!.aborted).toBe(true);
    expect((signals[0]!.reason as Error).message).toBe('timed out after 60 ms');
    expect(signals[1]!.aborted).toBe(false);

    const dead = await until(() => (h.row(slow).state === 'dead' ? h.row(slow) : null), 5000, 'always-slow job dead');
    expect(dead.attempts).toBe(2);
    expect(dead.last_error).toBe('attempts exhausted: Error: timed out after 40 ms');
  });
});

describe('kinds registered first are claimed before older due jobs of other kinds', () => {
  test('a reply-like job due after a backlog of answer-like jobs runs next, not after the backlog', async () => {
    const h = harness();
    const order: string[] = [];
    h.registry.register('test.answer', async (job) => {
      order.push(`answer:${String(job.payload.n)}`);
      await sleep(5);
    }, { maxAttempts: 1 });
    h.registry.register('test.reply', async () => {
      order.push('reply');
    }, { maxAttempts: 1, first: true });
    const now = Date.now();
    for (let n = 0; n < 10; n++) h.queue.enqueue({ kind: 'test.answer', payload: { n }, runAt: now - 10_000 + n });
    h.queue.enqueue({ kind: 'test.reply', runAt: now - 1000 });
    h.runner({ concurrency: 1 });
    await until(() => (order.length === 11 ? true : null), 5000, 'all 11 jobs ran');
    expect(order[0]).toBe('reply');
    expect(order.slice(1)).toEqual(Array.from({ length: 10 }, (_, n) => `answer:${n}`));
  });

  test('the first lane keeps per-key order: a first-kind job waits for an older pending job of its key', async () => {
    const h = harness();
    const order: string[] = [];
    h.registry.register('test.answer', async () => {
      order.push('answer');
    }, { maxAttempts: 1 });
    h.registry.register('test.reply', async () => {
      order.push('reply');
    }, { maxAttempts: 1, first: true });
    const now = Date.now();
    h.queue.enqueue({ kind: 'test.answer', concurrencyKey: 'contact:1', runAt: now - 2000 });
    h.queue.enqueue({ kind: 'test.reply', concurrencyKey: 'contact:1', runAt: now - 1000 });
    h.runner({ concurrency: 4 });
    await until(() => (order.length === 2 ? true : null), 5000, 'both jobs ran');
    expect(order).toEqual(['answer', 'reply']);
  });
});

describe('jobs of a worker of this host that is gone are taken back without waiting for their leases', () => {
  /** Marks a job as running under `workerId` with a lease a minute long, as a worker that claimed it would. */
  const claimedBy = (h: Harness, id: number, workerId: string) =>
    h.db.prepare("UPDATE jobs SET state = 'running', attempts = 1, locked_by = ?, locked_until = ? WHERE id = ?").run(workerId, Date.now() + 60_000, id);

  test('a job held by a dead process of this host runs again at once, and the log says why', async () => {
    const h = harness();
    const dead = spawnSync('true').pid!; // exited before the runner looks
    let runs = 0;
    h.registry.register('test.orphan', async () => {
      runs++;
    }, { maxAttempts: 3 });
    const id = h.queue.enqueue({ kind: 'test.orphan' });
    claimedBy(h, id, `${hostname()}:${dead}`);
    h.runner({ workerId: `${hostname()}:${process.pid}` });
    const row = await until(() => (h.row(id).state === 'done' ? h.row(id) : null), 3000, 'the orphaned job done');
    expect(runs).toBe(1);
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBe(`its worker ${hostname()}:${dead} stopped during attempt 1 (crash or kill)`);
    expect(h.logs().some((l) => l.msg === "job's worker is gone; job will run again" && l.job === id)).toBe(true);
  });

  test('a job held by a live process of this host, or by a worker of another host, keeps its lease', async () => {
    const h = harness();
    const alive = spawn('sleep', ['30']);
    try {
      h.registry.register('test.held', async () => undefined, { maxAttempts: 3 });
      const local = h.queue.enqueue({ kind: 'test.held' });
      const remote = h.queue.enqueue({ kind: 'test.held' });
      claimedBy(h, local, `${hostname()}:${alive.pid}`);
      claimedBy(h, remote, 'another-host:1');
      h.runner({ workerId: `${hostname()}:${process.pid}` });
      await sleep(1500); // more than one sweep
      expect([h.row(local).state, h.row(remote).state]).toEqual(['running', 'running']);
    } finally {
      alive.kill('SIGKILL');
    }
  });
});

describe('JobRunner wakes when a scheduled job falls due', () => {
  test('a job scheduled 150 ms ahead starts about then, not at the next poll', async () => {
    const h = harness();
    let startedAt = 0;
    h.registry.register('test.scheduled', async () => {
      startedAt = Date.now();
    }, { maxAttempts: 1 });
    h.runner({ pollMs: 5000 });
    await sleep(50); // the runner's first pass found nothing and went to sleep
    const runAt = Date.now() + 150;
    const id = h.queue.enqueue({ kind: 'test.scheduled', runAt });
    await until(() => (h.row(id).state === 'done' ? true : null), 3000, 'the scheduled job ran');
    expect(startedAt).toBeGreaterThanOrEqual(runAt);
    expect(startedAt - runAt).toBeLessThan(100); // a 5 s poll would have made it ~5,000 ms
  });
});

describe('JobRunner keeps the event loop serving I/O while it starts claimed jobs', () => {
  /** Blocks the thread like a handler's synchronous prefix (reading a conversation, searching knowledge). */
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* a synchronous prefix */ }
  };

  test('jobs claimed together start one per turn of the loop, so a timer is never held for the whole batch', async () => {
    const h = harness();
    const started: number[] = [];
    h.registry.register('test.prefix', async (job) => {
      started.push(job.id);
      busy(30);
      await sleep(5);
    }, { maxAttempts: 1 });
    for (let i = 0; i < 20; i++) h.queue.enqueue({ kind: 'test.prefix' });
    // A timer firing every 5 ms records how long the loop was held between its calls.
    let last = performance.now();
    let longest = 0;
    const probe = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 5);
    h.runner({ concurrency: 20 });
    await until(() => (h.rows().every((r) => r.state === 'done') ? true : null), 10_000, 'all 20 jobs done');
    clearInterval(probe);
    expect(started).toHaveLength(20);
    // 20 prefixes of 30 ms in one loop would hold it ~600 ms; one per turn holds it about one prefix.
    expect(longest).toBeLessThan(200);
    expect(started).toEqual([...started].sort((a, b) => a - b)); // still started in claim order
  });

  test('stop() hands back claimed jobs that had not started, without counting an attempt', async () => {
    const h = harness();
    let calls = 0;
    h.registry.register('test.slow-prefix', async () => {
      calls++;
      busy(40);
    }, { maxAttempts: 3 });
    const ids = Array.from({ length: 10 }, () => h.queue.enqueue({ kind: 'test.slow-prefix' }));
    const runner = h.runner({ concurrency: 10 });
    await until(() => (calls >= 1 ? true : null), 5000, 'the first job started');
    const { released } = await runner.stop(0);
    const rows = ids.map((id) => h.row(id));
    expect(rows.filter((r) => r.state === 'done')).toHaveLength(calls);
    expect(released).toBe(10 - calls);
    for (const row of rows.filter((r) => r.state === 'pending')) {
      expect(row.attempts).toBe(0);
      expect(row.locked_by).toBeNull();
    }
    expect(rows.filter((r) => r.state === 'running')).toEqual([]);
    expect(rows.filter((r) => r.state === 'pending').length).toBeGreaterThan(0);
    expect(calls).toBeLessThan(10);
  });
});

describe('JobStore.prune', () => {
  test('deletes done jobs finished before the cutoff, and nothing else', () => {
    const h = harness();
    const now = Date.now();
    const day = 86_400_000;
    const add = (state: string, finishedAt: number | null) => {
      const id = h.store.enqueue({ kind: 'test.prune', maxAttempts: 3 }, now - 10 * day);
      h.db.prepare('UPDATE jobs SET state = ?, finished_at = ? WHERE id = ?').run(state, finishedAt, id);
      return id;
    };
    const oldDone = add('done', now - 8 * day);
    const oldDone2 = add('done', now - 30 * day);
    const recentDone = add('done', now - 1 * day);
    const oldDead = add('dead', now - 8 * day);
    const pending = add('pending', null);
    const running = add('running', null);

    expect(h.store.prune('done', now - 7 * day)).toBe(2);
    expect(h.rows().map((r) => r.id)).toEqual([recentDone, oldDead, pending, running]);
    expect(h.store.prune('done', now - 7 * day)).toBe(0);
    expect(h.store.prune('dead', now - 7 * day)).toBe(1);
    expect(h.rows().map((r) => r.id)).toEqual([recentDone, pending, running]);
    expect([oldDone, oldDone2]).not.toContain(recentDone);
  });

  test('prunes in batches until no old job is left', () => {
    const h = harness();
    const now = Date.now();
    const insert = h.db.prepare(
      "INSERT INTO jobs (kind, max_attempts, run_at, created_at, updated_at, state, finished_at) VALUES ('test.prune', 3, 0, 0, 0, 'done', ?)",
    );
    for (let i = 0; i < 25; i++) insert.run(now - 1000 - i);
    insert.run(now + 1000);
    expect(h.store.prune('done', now, 10)).toBe(25);
    expect(h.rows()).toHaveLength(1);
    expect(h.rows()[0]!.finished_at).toBe(now + 1000);
  });
});
