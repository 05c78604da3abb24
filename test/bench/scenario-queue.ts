import { statSync } from 'node:fs';
import { JobStore } from '../../src/storage/job-store.js';
import { openDatabase } from '../../src/storage/open-db.js';
import type { BenchContext } from './context.js';
import { summary, walFrames } from './stats.js';

export interface QueueFigures {
  pending: number;
  /** 100,000 due jobs waiting (a backlog): each cycle claims the oldest of them. */
  backlog: { perSecond: number; cycles: number; p99Ms: number };
  /** 100,000 jobs scheduled for later (reminders, debounced answers): each cycle claims the job it just enqueued. */
  scheduled: { perSecond: number; cycles: number; p99Ms: number };
  /** Why a cycle costs what it does: the WAL pages its three commits write (checkpoints held off to count them). */
  walPagesPerCycle: number;
}

const KIND = 'bench_cycle';
/** The lane the cycles use: the answers' lane, where the runner claims in fair order (src/jobs/lanes.ts). */
const LANE = { lane: 'customer' } as const;

/**
 * The queue's own cost, in this process on the product's JobStore and connection settings (no worker running):
 * one cycle = enqueue one job (with its place on the tenant's fair clock), claim one (the runner's claiming UPDATE …
 * RETURNING of one lane), complete it, each call its own
 * commit as in the worker. Measured with `pending` jobs in the table, first all due, then all scheduled for later.
 * The benchmark's jobs are deleted afterwards.
 */
export function queueScenario(ctx: BenchContext): QueueFigures {
  const { queue } = ctx.scale;
  const db = openDatabase(ctx.cell.dataDir);
  const store = new JobStore(db);
  const worker = 'bench:queue';
  let walPages = NaN;
  const countPages = (fn: () => void) => {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    fn();
    const pages = walFrames(statSync(`${ctx.cell.dbPath}-wal`).size, db.pragma('page_size', { simple: true }) as number);
    db.pragma('wal_autocheckpoint = 1000');
    return pages;
  };
  const run = (label: string, runAt: (i: number, now: number) => number) => {
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < queue.pending; i++) {
        store.enqueue({ kind: KIND, payload: { contactId: i }, concurrencyKey: `contact:bench${i}`, runAt: runAt(i, now), maxAttempts: 5 }, now, LANE);
      }
    })();
    const times: number[] = [];
    const started = performance.now();
    const deadline = started + queue.maxMs;
    let cycles = 0;
    while (cycles < queue.cycles && performance.now() < deadline) {
      const t0 = performance.now();
      const at = Date.now();
      store.enqueue({ kind: KIND, payload: { contactId: -cycles }, concurrencyKey: `contact:cycle${cycles}`, maxAttempts: 5 }, at, LANE);
      const [job] = store.claim({ workerId: worker, lane: LANE.lane, kinds: [KIND], limit: 1, leaseMs: 30_000, now: at });
      if (!job || !store.complete(job.id, worker, Date.now())) throw new Error(`queue cycle ${cycles} (${label}) claimed nothing`);
      times.push(performance.now() - t0);
      cycles++;
    }
    const seconds = (performance.now() - started) / 1000;
    if (label === 'backlog') walPages = countPages(() => {
      for (let i = 0; i < 500; i++) {
        const at = Date.now();
        store.enqueue({ kind: KIND, payload: { contactId: -i }, concurrencyKey: `contact:count${i}`, maxAttempts: 5 }, at, LANE);
        const [job] = store.claim({ workerId: worker, lane: LANE.lane, kinds: [KIND], limit: 1, leaseMs: 30_000, now: at });
        store.complete(job!.id, worker, Date.now());
      }
    }) / 500;
    db.prepare('DELETE FROM jobs WHERE kind = ?').run(KIND);
    ctx.log(`queue (${label}): ${cycles} cycles in ${seconds.toFixed(1)} s`);
    return { perSecond: cycles / seconds, cycles, p99Ms: summary(times).p99 };
  };
  try {
    const backlog = run('backlog', (_, now) => now - 60_000);
    const scheduled = run('scheduled', (i, now) => now + 3_600_000 + i);
    return { pending: queue.pending, backlog, scheduled, walPagesPerCycle: walPages };
  } finally {
    db.close();
  }
}
