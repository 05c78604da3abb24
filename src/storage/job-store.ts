import type { Job, JobSpec, JobState } from '../jobs/types.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-db.js';

type Row = Omit<Job, 'payload'> & { payload: string };

const COLUMNS = `id, kind, tenant_id AS tenantId, payload, concurrency_key AS concurrencyKey, unique_key AS uniqueKey, state,
  attempts, max_attempts AS maxAttempts, run_at AS runAt, locked_until AS lockedUntil, locked_by AS lockedBy,
  last_error AS lastError, trace_id AS traceId, created_at AS createdAt, updated_at AS updatedAt, finished_at AS finishedAt`;

function toJob(row: Row): Job {
  return { ...row, payload: JSON.parse(row.payload) as Record<string, unknown> };
}

export interface ExpiredLease {
  id: number;
  kind: string;
  state: JobState;
  attempts: number;
  traceId: string | null;
}

/**
 * The claiming UPDATE … RETURNING for one lane, reading its pending jobs through jobs_fair in fair order: each
 * tenant's jobs are spaced on that tenant's clock (JobStore.enqueue), so the oldest fair_at of a lane alternates
 * between tenants instead of draining one tenant's backlog first.
 */
const CLAIM_SQL = `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = @lockedUntil,
      locked_by = @workerId, updated_at = @now
    WHERE id IN (
      SELECT j.id FROM jobs j INDEXED BY jobs_fair
      WHERE j.state = 'pending' AND j.lane = @lane AND j.run_at <= @now AND j.kind IN (SELECT value FROM json_each(@kinds))
        AND (j.concurrency_key IS NULL OR (
          NOT EXISTS (SELECT 1 FROM jobs r WHERE r.concurrency_key = j.concurrency_key AND r.state = 'running')
          AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.concurrency_key = j.concurrency_key AND e.state = 'pending' AND e.id < j.id)))
      ORDER BY j.fair_at, j.id
      LIMIT @limit)
    RETURNING ${COLUMNS}`;

/** Puts running jobs matching `condition` back to pending (or dead on their last attempt), with `reason`. */
function sweepSql(condition: string, reason: string): string {
  return `UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
      finished_at = CASE WHEN attempts >= max_attempts THEN @now END,
      last_error = ${reason},
      locked_until = NULL, locked_by = NULL, run_at = @now, updated_at = @now
    WHERE state = 'running' AND ${condition}
    RETURNING id, kind, state, attempts, trace_id AS traceId`;
}

/**
 * Every statement the queue runs on its hot path. Exported so a test can check that each one reads an index and
 * never scans the jobs table, which holds every finished job until it is pruned.
 */
export const JOB_SQL = {
  insert: `INSERT INTO jobs (kind, tenant_id, payload, concurrency_key, unique_key, max_attempts, run_at, trace_id, created_at, updated_at, lane, fair_at)
    VALUES (@kind, @tenantId, @payload, @concurrencyKey, @uniqueKey, @maxAttempts, @runAt, @traceId, @now, @now, @lane, @fairAt)
    ON CONFLICT (unique_key) WHERE state = 'pending' DO UPDATE SET payload = excluded.payload, run_at = excluded.run_at,
      trace_id = excluded.trace_id, max_attempts = excluded.max_attempts, updated_at = excluded.updated_at,
      lane = excluded.lane, fair_at = excluded.fair_at
    RETURNING id`,
  fairClock: 'SELECT last_fair AS lastFair FROM job_fair_clock WHERE tenant_id = @tenantKey AND lane = @lane',
  advanceFairClock: `INSERT INTO job_fair_clock (tenant_id, lane, last_fair) VALUES (@tenantKey, @lane, @fairAt)
    ON CONFLICT (tenant_id, lane) DO UPDATE SET last_fair = max(last_fair, excluded.last_fair)`,
  // One statement claims up to @limit due jobs of one lane. A keyed job is claimable only if it is the oldest pending
  // job of its key and no job of that key is running, so one contact's jobs run one at a time and in order. The index
  // is named so the planner never trades the fair order of a backlog for another index and a sort of all of it.
  claim: CLAIM_SQL,
  // A claimed job that found no free rate budget goes back to the queue until its destination has one: the attempt
  // it was claimed for is not counted. Its place moves to when it comes back (ahead of it then are only jobs that were
  // due earlier), so the fair order's front holds due jobs, not hundreds waiting for a budget.
  defer: `UPDATE jobs SET state = 'pending', locked_until = NULL, locked_by = NULL, run_at = @runAt,
      attempts = max(attempts - 1, 0), last_error = coalesce(@error, last_error), fair_at = max(coalesce(fair_at, @fairAt), @fairAt), updated_at = @now
    WHERE id = @id AND state = 'running' AND locked_by = @workerId`,
  // Jobs enqueued by a process that has no kind table (the CLI) get their lane from the runner's.
  unlaned: "SELECT id, kind FROM jobs WHERE state = 'pending' AND lane IS NULL LIMIT 500",
  setLane: "UPDATE jobs SET lane = @lane WHERE id = @id AND state = 'pending' AND lane IS NULL",
  complete: `UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = @now, updated_at = @now
    WHERE id = @id AND state = 'running' AND locked_by = @workerId`,
  retryLater: `UPDATE jobs SET state = 'pending', locked_until = NULL, locked_by = NULL, run_at = @runAt,
      last_error = @error, updated_at = @now
    WHERE id = @id AND state = 'running' AND locked_by = @workerId`,
  kill: `UPDATE jobs SET state = 'dead', locked_until = NULL, last_error = @error, finished_at = @now, updated_at = @now
    WHERE id = @id AND state = 'running' AND locked_by = @workerId`,
  extend: `UPDATE jobs SET locked_until = @lockedUntil
    WHERE state = 'running' AND locked_by = @workerId AND id IN (SELECT value FROM json_each(@ids))`,
  release: `UPDATE jobs SET state = 'pending', locked_until = NULL, locked_by = NULL, run_at = @now,
      attempts = max(attempts - 1, 0), updated_at = @now
    WHERE state = 'running' AND locked_by = @workerId AND id IN (SELECT value FROM json_each(@ids))`,
  sweep: sweepSql('locked_until < @now', "'lease expired after attempt ' || attempts || ': the worker running it stopped (crash, kill or hang)'"),
  // A worker of this host that no longer exists (JobRunner checks the pid): its jobs go back without waiting for
  // their leases to run out.
  sweepWorker: sweepSql('locked_by = @workerId', "'its worker ' || locked_by || ' stopped during attempt ' || attempts || ' (crash or kill)'"),
  runningWorkers: "SELECT DISTINCT locked_by AS workerId FROM jobs WHERE state = 'running' AND locked_by IS NOT NULL",
  retryDead: `UPDATE jobs SET state = 'pending', attempts = 0, run_at = @now, finished_at = NULL, updated_at = @now
    WHERE id = @id AND state = 'dead'`,
  get: `SELECT ${COLUMNS} FROM jobs WHERE id = ?`,
  // The earliest moment a pending job not yet due becomes due: the runner sleeps until then, not a whole poll.
  nextRunAt: 'SELECT run_at AS runAt FROM jobs WHERE state = \'pending\' AND run_at > ? ORDER BY run_at LIMIT 1',
  // A running or finished job keeps no claim on its unique key: otherwise putting it back to pending (retry,
  // expired lease, shutdown) would collide with the newer pending job that took the key.
  releaseKey: "UPDATE jobs SET unique_key = NULL WHERE unique_key = ? AND state <> 'pending'",
  // The IN term repeats jobs_finished's own condition, so the planner may read that partial index.
  prune: `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state IN ('done', 'dead') AND state = @state AND finished_at < @before LIMIT @batch)`,
} as const;

/** How far apart one tenant's consecutive jobs of a lane are put in the fair order (see JobStore.enqueue). */
export const FAIR_STEP_MS = 100;
/** Jobs due within this are spaced on their tenant's clock; later ones (reminders, summaries) keep their run_at. */
const FAIR_HORIZON_MS = 60_000;
/** How far ahead of its lane a `first` job is put: it finishes work somebody is waiting for. */
const FIRST_BOOST_MS = 24 * 3_600_000;

/** Where a job goes: its lane, and whether it is claimed before the lane's other jobs. */
export interface Placement {
  lane: string | null;
  first?: boolean;
}

/**
 * The queue's SQL. Every call is one statement (or one short transaction) on the caller's connection, so
 * `enqueue` joins whatever transaction the caller has open: the job exists exactly when the caller's write does.
 */
export class JobStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = Object.fromEntries(Object.entries(JOB_SQL).map(([name, sql]) => [name, db.prepare(sql)])) as {
      [K in keyof typeof JOB_SQL]: Statement;
    };
  }

  /**
   * Adds a job, or replaces the pending job with the same unique key. Returns its id.
   *
   * Fairness: a job due soon takes the next place on its tenant's clock for its lane, `FAIR_STEP_MS` after the
   * tenant's previous one and never before its run_at; claiming follows that order. A tenant that queued 5,000 jobs
   * in a second has them spread over 500 s of that order, so another tenant's job enqueued a second later is behind
   * at most ten of them (weighted fair queuing, one weight per tenant).
   */
  enqueue(spec: JobSpec & { maxAttempts: number }, now: number, placement: Placement = { lane: null }): number {
    return this.db.transaction(() => {
      if (spec.uniqueKey) this.statements.releaseKey.run(spec.uniqueKey);
      return this.insert(spec, now, placement);
    })();
  }

  private fairAt(tenantId: number | null, lane: string | null, runAt: number, now: number): number {
    if (lane === null || runAt - now > FAIR_HORIZON_MS) return runAt;
    const tenantKey = tenantId ?? 0;
    const last = (this.statements.fairClock.get({ tenantKey, lane }) as { lastFair: number } | undefined)?.lastFair;
    // A tenant's place runs at most a horizon ahead of now: its backlog beyond that shares the horizon's place (oldest
    // first by id), and a claim never walks past jobs scheduled further out than that to reach a due one.
    const fairAt = last === undefined ? runAt : Math.max(runAt, Math.min(last + FAIR_STEP_MS, now + FAIR_HORIZON_MS));
    this.statements.advanceFairClock.run({ tenantKey, lane, fairAt });
    return fairAt;
  }

  private insert(spec: JobSpec & { maxAttempts: number }, now: number, placement: Placement): number {
    const runAt = spec.runAt ?? now;
    const fairAt = this.fairAt(spec.tenantId ?? null, placement.lane, runAt, now) - (placement.first ? FIRST_BOOST_MS : 0);
    const row = this.statements.insert.get({
      kind: spec.kind,
      tenantId: spec.tenantId ?? null,
      payload: JSON.stringify(spec.payload ?? {}),
      concurrencyKey: spec.concurrencyKey ?? null,
      uniqueKey: spec.uniqueKey ?? null,
      maxAttempts: spec.maxAttempts,
      runAt,
      traceId: spec.traceId ?? null,
      now,
      lane: placement.lane,
      fairAt,
    }) as { id: number };
    return row.id;
  }

  /** Claims up to `limit` due jobs of one lane whose kind is in `kinds`, in fair order (see enqueue). */
  claim(options: { workerId: string; lane: string; kinds: readonly string[]; limit: number; leaseMs: number; now: number }): Job[] {
    if (options.limit <= 0 || options.kinds.length === 0) return [];
    const rows = this.statements.claim.all({
      workerId: options.workerId, lockedUntil: options.now + options.leaseMs, now: options.now, lane: options.lane, kinds: JSON.stringify(options.kinds), limit: options.limit,
    }) as Row[];
    return rows.map(toJob);
  }

  /** Hands a claimed job back until `runAt` without counting the attempt (it waited for a rate budget, it did not run). */
  defer(id: number, workerId: string, runAt: number, now: number, error: string | null = null, first = false): boolean {
    return this.statements.defer.run({ id, workerId, runAt, now, error, fairAt: runAt - (first ? FIRST_BOOST_MS : 0) }).changes === 1;
  }

  /** Gives pending jobs enqueued without a lane (by the CLI) the lane `laneOf` names; returns how many. */
  assignLanes(laneOf: (kind: string) => string | null): number {
    let n = 0;
    for (const { id, kind } of this.statements.unlaned.all() as { id: number; kind: string }[]) {
      const lane = laneOf(kind);
      if (lane !== null) n += this.statements.setLane.run({ id, lane }).changes;
    }
    return n;
  }

  /** Marks a job done; false when this worker no longer holds its lease (it expired and was reclaimed). */
  complete(id: number, workerId: string, now: number): boolean {
    return this.statements.complete.run({ id, workerId, now }).changes === 1;
  }

  retryLater(id: number, workerId: string, runAt: number, error: string, now: number): boolean {
    return this.statements.retryLater.run({ id, workerId, runAt, error, now }).changes === 1;
  }

  kill(id: number, workerId: string, error: string, now: number): boolean {
    return this.statements.kill.run({ id, workerId, error, now }).changes === 1;
  }

  extendLeases(ids: readonly number[], workerId: string, lockedUntil: number): void {
    if (ids.length > 0) this.statements.extend.run({ ids: JSON.stringify(ids), workerId, lockedUntil });
  }

  /** Hands unfinished jobs back at shutdown without counting the interrupted attempt. */
  release(ids: readonly number[], workerId: string, now: number): void {
    if (ids.length > 0) this.statements.release.run({ ids: JSON.stringify(ids), workerId, now });
  }

  /** Makes jobs whose lease expired claimable again (or dead, when that was their last attempt). */
  sweepExpiredLeases(now: number): ExpiredLease[] {
    return this.statements.sweep.all({ now }) as ExpiredLease[];
  }

  /** Workers holding running jobs now. */
  runningWorkers(): string[] {
    return (this.statements.runningWorkers.all() as { workerId: string }[]).map((r) => r.workerId);
  }

  /** Makes every running job of `workerId` claimable again (or dead on its last attempt): that worker is gone. */
  sweepWorker(workerId: string, now: number): ExpiredLease[] {
    return this.statements.sweepWorker.all({ workerId, now }) as ExpiredLease[];
  }

  retryDead(id: number, now: number): boolean {
    return this.statements.retryDead.run({ id, now }).changes === 1;
  }

  /** When the next pending job that is not due at `now` becomes due; null when there is none. */
  nextRunAt(now: number): number | null {
    return (this.statements.nextRunAt.get(now) as { runAt: number } | undefined)?.runAt ?? null;
  }

  get(id: number): Job | null {
    const row = this.statements.get.get(id) as Row | undefined;
    return row ? toJob(row) : null;
  }

  list(filter: { state?: JobState; kind?: string; tenantId?: number; limit?: number } = {}): Job[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM jobs WHERE (@state IS NULL OR state = @state) AND (@kind IS NULL OR kind = @kind)
        AND (@tenantId IS NULL OR tenant_id = @tenantId) ORDER BY id DESC LIMIT @limit`)
      .all({ state: filter.state ?? null, kind: filter.kind ?? null, tenantId: filter.tenantId ?? null, limit: filter.limit ?? 50 }) as Row[];
    return rows.map(toJob);
  }

  counts(): Record<JobState, number> {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as { state: JobState; n: number }[];
    const out: Record<JobState, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /** Deletes finished jobs of a state older than `before`, in batches so no transaction is long. Returns how many. */
  prune(state: 'done' | 'dead', before: number, batch = 1000): number {
    let total = 0;
    for (;;) {
      const { changes } = this.statements.prune.run({ state, before, batch });
      total += changes;
      if (changes < batch) return total;
    }
  }
}
