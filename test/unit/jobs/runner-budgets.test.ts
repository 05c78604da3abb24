import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryBudgetStore, RateBudgets, type BudgetNeed } from '../../../src/jobs/budgets.js';
import { RateLimitedJobError } from '../../../src/jobs/errors.js';
import { Queue } from '../../../src/jobs/queue.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { JobRunner } from '../../../src/jobs/runner.js';
import { createLogger } from '../../../src/observability/logger.js';
import { BudgetStore } from '../../../src/storage/budget-store.js';
import { JobStore } from '../../../src/storage/job-store.js';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../../src/storage/open-db.js';
import { until } from '../../helpers/until.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const DEST: BudgetNeed = { key: 'tg:group:-1', scope: 'group', intervalMs: 300, burst: 1 };

interface Setup {
  db: Db;
  store: JobStore;
  registry: JobRegistry;
  queue: Queue;
  runner: JobRunner;
  budgets: RateBudgets;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(register: (registry: JobRegistry) => void, concurrency = 8, persisted = false): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'botctl-budgets-'));
  const db = openDatabase(dir);
  applyMigrations(db);
  const store = new JobStore(db);
  const registry = new JobRegistry();
  register(registry);
  const queue = new Queue(store, registry);
  const budgets = new RateBudgets(persisted ? new BudgetStore(db) : new MemoryBudgetStore());
  const runner = new JobRunner(store, registry, createLogger({ level: 'silent' }), { concurrency, leaseMs: 5000, pollMs: 20, budgets });
  queue.onEnqueue(() => runner.wake());
  cleanups.push(async () => {
    await runner.stop(0);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, store, registry, queue, runner, budgets };
}

const rows = (db: Db) => db.prepare('SELECT id, state, attempts, run_at AS runAt, last_error AS lastError FROM jobs ORDER BY id').all() as { id: number; state: string; attempts: number; runAt: number; lastError: string | null }[];

describe('a job waiting for a rate budget waits in the queue, never in a job slot', () => {
  test('six sends to one destination at one per 300 ms: between sends the runner holds nothing, and no wait counts an attempt', async () => {
    const starts: number[] = [];
    const s = setup((registry) => registry.register('test.send', async () => {
      starts.push(Date.now());
      await sleep(30);
    }, { lane: 'desk', budget: () => [DEST], maxAttempts: 1 }));
    for (let i = 0; i < 6; i++) s.queue.enqueue({ kind: 'test.send', tenantId: null });
    s.runner.start();

    // The runner's own state, sampled while the jobs wait their turns.
    const samples: { held: number[]; running: number; pending: number }[] = [];
    const sampler = setInterval(() => {
      const states = rows(s.db);
      samples.push({ held: s.runner.heldJobIds(), running: states.filter((r) => r.state === 'running').length, pending: states.filter((r) => r.state === 'pending').length });
    }, 10);
    await until(() => rows(s.db).every((r) => r.state === 'done'), 10_000, 'all six sends');
    clearInterval(sampler);

    // Paced by the budget: each start one interval after the previous one. The unit is taken at the claim; the handler
    // starts a turn or two of the loop later, so two starts can be closer than the interval by that scheduling jitter.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(DEST.intervalMs - 25);
    // While jobs waited for the budget (pending), the runner held at most the one job that had its unit, and in the
    // long gaps between sends it held none: with eight free slots, waiting jobs were not parked in them.
    const waiting = samples.filter((x) => x.pending > 0);
    expect(waiting.length).toBeGreaterThan(10);
    expect(Math.max(...waiting.map((x) => x.held.length))).toBeLessThanOrEqual(1);
    expect(waiting.filter((x) => x.held.length === 0 && x.running === 0).length).toBeGreaterThan(waiting.length / 2);
    // Every job ran once, on its first and only allowed attempt: being sent back for a budget is not an attempt.
    expect(rows(s.db).map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(s.runner.budgetDeferrals).toBeGreaterThanOrEqual(5);
  });

  test('a 429 with retry_after blocks the destination for every job, and the refused job keeps its attempts', async () => {
    let refused = false;
    const starts: { id: number; at: number }[] = [];
    const s = setup((registry) => registry.register('test.send', async (job) => {
      starts.push({ id: job.id, at: Date.now() });
      if (!refused) {
        refused = true;
        throw new RateLimitedJobError('Telegram rate limit: Too Many Requests: retry after 1', 1000);
      }
    }, { lane: 'desk', budget: () => [{ ...DEST, intervalMs: 10, burst: 5 }], maxAttempts: 1 }), 8, true);
    const first = s.queue.enqueue({ kind: 'test.send', tenantId: null });
    s.runner.start();
    await until(() => starts.length === 1, 5000, 'the refused send');
    const refusedAt = starts[0]!.at;
    for (let i = 0; i < 3; i++) s.queue.enqueue({ kind: 'test.send', tenantId: null });
    await until(() => rows(s.db).every((r) => r.state === 'done'), 10_000, 'all sends');
    // Nothing went to the destination during its retry_after, though its budget allows five at once.
    for (const start of starts.slice(1)) expect(start.at - refusedAt).toBeGreaterThanOrEqual(990);
    const row = rows(s.db).find((r) => r.id === first)!;
    expect(row).toMatchObject({ state: 'done', attempts: 1 });
    expect(row.lastError).toContain('retry after 1');
    // The block is in the database: a restarted worker would honour it too.
    expect(s.db.prepare('SELECT blocked_until FROM rate_budgets WHERE key = ?').pluck().get(DEST.key)).toBeGreaterThanOrEqual(refusedAt + 990);
  });
});
