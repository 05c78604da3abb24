import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryBudgetStore, RateBudgets } from '../../../src/jobs/budgets.js';
import { deliveryBudgetOf } from '../../../src/channels/outbound-budget.js';
import { Queue } from '../../../src/jobs/queue.js';
import { JobRegistry, type JobHandler } from '../../../src/jobs/registry.js';
import { JobRunner } from '../../../src/jobs/runner.js';
import type { Job } from '../../../src/jobs/types.js';
import { JOB, contactKey } from '../../../src/conversation/job-kinds.js';
import type { DeskJobs } from '../../../src/desk/desk.js';
import { createLogger } from '../../../src/observability/logger.js';
import { JobStore } from '../../../src/storage/job-store.js';
import { applyMigrations } from '../../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../../src/storage/open-db.js';
import { WORKER_DEFAULTS } from '../../../src/worker/defaults.js';
import { registerJobTable } from '../../../src/worker/job-table.js';
import { DEFAULT_PIPELINE_OPTIONS } from '../../../src/worker/pipeline.js';
import { until } from '../../helpers/until.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const noop: JobHandler = async () => {};

interface Run { job: Job; at: number }

/**
 * The worker's real job table and runner over a real SQLite queue, with recording handlers in place of the network
 * calls (each "send" takes 20 ms, as a quick Graph API answer would).
 */
class Cell {
  readonly dir = mkdtempSync(join(tmpdir(), 'botctl-fair-'));
  readonly db: Db;
  readonly store: JobStore;
  readonly registry = new JobRegistry();
  readonly queue: Queue;
  readonly runs: Run[] = [];
  runner: JobRunner | null = null;

  constructor(handlers: { send?: JobHandler; answer?: JobHandler; desk?: JobHandler } = {}) {
    this.db = openDatabase(this.dir);
    applyMigrations(this.db);
    this.store = new JobStore(this.db);
    const record = (inner: JobHandler): JobHandler => async (job, ctx) => {
      this.runs.push({ job, at: Date.now() });
      await inner(job, ctx);
    };
    const deskHandler = record(handlers.desk ?? noop);
    const desk: DeskJobs = {
      postCard: deskHandler, updateCard: deskHandler, relay: deskHandler, remind: deskHandler, closeTopic: deskHandler, delivery: deskHandler, notify: deskHandler, digest: deskHandler, bookingCard: deskHandler,
      budget: () => [],
    };
    registerJobTable(this.registry, {
      pipeline: { deliverMessage: record(handlers.send ?? (() => sleep(20))), deliveryBudget: deliveryBudgetOf(() => 'whatsapp'), handleInbound: record(handlers.answer ?? noop), summarizeMemory: noop, customerReminder: noop, forgetContact: noop, instagramProfile: noop },
      pipelineOptions: DEFAULT_PIPELINE_OPTIONS, desk, knowledge: { embed: noop }, integrations: { webhookDeliver: noop, crmSync: noop, prune: noop }, dashboard: { digest: noop, prune: noop }, learning: { draft: noop, propose: noop, telegram: null }, maintenance: { pruneJobs: noop },
    });
    this.queue = new Queue(this.store, this.registry);
  }

  tenant(slug: string): number {
    return Number(this.db.prepare("INSERT INTO tenants (slug, name, timezone, created_at, updated_at) VALUES (?, ?, 'Asia/Almaty', 0, 0)").run(slug, slug).lastInsertRowid);
  }

  start(concurrency: number = WORKER_DEFAULTS.concurrency): JobRunner {
    this.runner = new JobRunner(this.store, this.registry, createLogger({ level: 'silent' }), {
      concurrency, leaseMs: WORKER_DEFAULTS.leaseMs, pollMs: WORKER_DEFAULTS.pollMs, budgets: new RateBudgets(new MemoryBudgetStore()),
    });
    this.queue.onEnqueue(() => this.runner?.wake());
    this.runner.start();
    return this.runner;
  }

  async close(): Promise<void> {
    await this.runner?.stop(0);
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const cells: Cell[] = [];
afterEach(async () => {
  for (const c of cells.splice(0)) await c.close();
});
function cell(handlers?: ConstructorParameters<typeof Cell>[0]): Cell {
  const c = new Cell(handlers);
  cells.push(c);
  return c;
}

/** The most runs in any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('claiming is fair across tenants', () => {
  test("one tenant's 5,000 queued replies against its number's limit do not delay another tenant's reply by more than 2 s", async () => {
    const c = cell();
    const busy = c.tenant('busy');
    const other = c.tenant('other');
    c.db.transaction(() => {
      for (let i = 0; i < 5000; i++) c.queue.enqueue({ kind: JOB.deliverMessage, tenantId: busy, payload: { messageId: i }, concurrencyKey: contactKey(i) });
    })();
    c.start();
    await sleep(1000);
    const enqueuedAt = Date.now();
    c.queue.enqueue({ kind: JOB.deliverMessage, tenantId: other, payload: { messageId: -1 }, concurrencyKey: contactKey(999_999) });
    const reply = await until(() => c.runs.find((r) => r.job.tenantId === other), 5000, "the other tenant's reply");
    expect(reply.at - enqueuedAt).toBeLessThanOrEqual(2000);

    await sleep(1000);
    const busyRuns = c.runs.filter((r) => r.job.tenantId === busy).map((r) => r.at);
    // The busy number was held to its budget (80 a second) the whole time, and used it.
    expect(maxInWindow(busyRuns, 1000)).toBeLessThanOrEqual(80);
    expect(busyRuns.length).toBeGreaterThan(100);
    // The rest of the backlog waits in the queue, not in the runner: nothing but sends in flight is held.
    expect(c.runner!.activeCount).toBeLessThanOrEqual(20);
    const pending = c.db.prepare("SELECT count(*) FROM jobs WHERE state = 'pending' AND tenant_id = ?").pluck().get(busy) as number;
    expect(pending).toBeGreaterThan(3000);
    // Waiting for the budget counted no attempt.
    expect(c.db.prepare("SELECT max(attempts) FROM jobs WHERE state = 'pending'").pluck().get()).toBe(0);
  }, 30_000);

  test('due jobs of many tenants are claimed alternately, not tenant by tenant', async () => {
    const c = cell();
    const tenants = ['a', 'b', 'c'].map((s) => c.tenant(s));
    c.db.transaction(() => {
      // Tenant a enqueues 30 answers first, then b and c 30 each: without fairness a's would all run first.
      for (const t of tenants) for (let i = 0; i < 30; i++) c.queue.enqueue({ kind: JOB.handleInbound, tenantId: t, payload: { contactId: i }, concurrencyKey: `contact:${t}:${i}` });
    })();
    c.start(1);
    await until(() => c.runs.length === 90, 10_000, 'all 90 answers');
    const firstNine = c.runs.slice(0, 9).map((r) => r.job.tenantId);
    expect(new Set(firstNine)).toEqual(new Set(tenants));
    expect(firstNine.filter((t) => t === tenants[0]).length).toBe(3);
  });
});

describe('lanes: customer-facing capacity that the desk and background work cannot take', () => {
  test('with every desk and background job hung, customers are still answered and replies still sent', async () => {
    const c = cell({ desk: () => new Promise(() => {}), answer: () => sleep(10) });
    const t = c.tenant('t');
    c.db.transaction(() => {
      for (let i = 0; i < 200; i++) c.queue.enqueue({ kind: JOB.postHandoverCard, tenantId: t, payload: { handoverId: i } });
    })();
    const runner = c.start(32);
    await until(() => runner.activeByLane().desk > 0, 5000, 'desk jobs started');
    await sleep(200);
    const held = runner.activeByLane();
    // The desk holds at most its share (a quarter), never the slots reserved for customers.
    expect(held.desk).toBeLessThanOrEqual(8);
    const start = Date.now();
    for (let i = 0; i < 20; i++) c.queue.enqueue({ kind: JOB.handleInbound, tenantId: t, payload: { contactId: i }, concurrencyKey: contactKey(i) });
    await until(() => c.runs.filter((r) => r.job.kind === JOB.handleInbound).length === 20, 5000, 'all 20 answers');
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
