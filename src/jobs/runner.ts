import type { Logger } from '../observability/logger.js';
import type { JobStore } from '../storage/job-store.js';
import { BudgetGate, type BudgetWait } from './budget-gate.js';
import type { RateBudgets } from './budgets.js';
import { CUSTOMER_LANES, LANES, laneShares, type Lane, type LaneShares } from './lanes.js';
import type { JobRegistry } from './registry.js';
import { recordFailure } from './record-failure.js';
import { sweepLeases } from './sweep-leases.js';
import type { Job } from './types.js';
import { localWorkerId } from './worker-id.js';

export interface RunnerOptions {
  /** Most jobs running at once in this process. */
  concurrency: number;
  /** How long a claim holds a job; renewed while the handler runs, so only a dead worker lets it lapse. */
  leaseMs: number;
  /** How often to look for due jobs when nothing woke the runner. */
  pollMs: number;
  workerId?: string;
  clock?: () => number;
  random?: () => number;
  /** Rate budgets of remote destinations; without them a kind's budget is not enforced. */
  budgets?: RateBudgets;
}

interface InFlight {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
}

/** Most jobs one pass claims; the next pass follows at once when it took that many. */
const CLAIM_BATCH = 64;

/**
 * Runs jobs from the durable queue: claims due jobs up to the concurrency limit, renews their leases,
 * and records each outcome (done, retry later with backoff, or dead). At-least-once: a handler must make
 * its effect idempotent, because a crash after the effect and before `complete` runs it again.
 *
 * Claimed jobs start one per turn of the event loop. A handler runs synchronously until its first await (an
 * answer job reads the conversation and searches the knowledge base before it calls the LLM), so starting a
 * claimed batch in one loop would hold the loop for the sum of those prefixes: hundreds of jobs at once
 * stalled webhooks and health checks for seconds. Between two starts the loop serves I/O.
 */
export class JobRunner {
  readonly workerId: string;
  private readonly clock: () => number;
  private readonly inFlight = new Map<number, InFlight>();
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** Claimed jobs waiting for their turn to start, oldest first, and the turn that starts the next one. */
  private readonly startQueue: Array<{ id: number; begin: () => void }> = [];
  private starter: NodeJS.Immediate | null = null;
  private lastSweep = 0;
  /** The abort reason of jobs interrupted by stop(), told apart from a handler timeout. */
  private readonly stopReason = new Error('worker stopping');
  private running = false;
  private readonly shares: LaneShares;
  private lastLaneAssign = 0;
  /** Time of the last successful pass over the queue; `/readyz` reads it. */
  lastTickAt = 0;
  private readonly gate: BudgetGate;

  constructor(
    private readonly store: JobStore,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
  ) {
    this.workerId = options.workerId ?? localWorkerId();
    this.clock = options.clock ?? Date.now;
    this.shares = laneShares(options.concurrency);
    this.gate = new BudgetGate(store, registry, logger, this.workerId, options.budgets ?? null);
  }

  /** Jobs sent back to the queue for a rate budget since start. */
  get budgetDeferrals(): number {
    return this.gate.deferrals;
  }

  /** The latest job sent back for a rate budget. */
  get lastBudgetWait(): BudgetWait | null {
    return this.gate.lastWait;
  }

  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Ids of the jobs this runner holds now (claimed and starting, or running). */
  heldJobIds(): number[] {
    return [...this.inFlight.keys()];
  }

  /** Jobs held now per lane. */
  activeByLane(): Record<Lane, number> {
    const out = Object.fromEntries(LANES.map((l) => [l, 0])) as Record<Lane, number>;
    for (const f of this.inFlight.values()) out[this.registry.lane(f.job.kind) ?? 'customer']++;
    return out;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeatTimer = setInterval(() => this.renewLeases(), Math.max(50, Math.floor(this.options.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** Looks for work now instead of at the next poll (called after an enqueue and after each job ends). */
  wake(): void {
    if (!this.running || this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.tick();
    });
  }

  /**
   * Stops claiming, waits for running jobs up to `deadlineMs`, then aborts the rest and hands them back to the
   * queue (their interrupted attempt is not counted). Resolves when nothing of this runner is running.
   */
  async stop(deadlineMs: number): Promise<{ finished: number; released: number }> {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.immediate) clearImmediate(this.immediate);
    this.pollTimer = null;
    this.immediate = null;
    // Claimed jobs that have not started go straight back to the queue: nothing of them ran.
    if (this.starter) clearImmediate(this.starter);
    this.starter = null;
    const unstarted = this.startQueue.splice(0).map((s) => s.id);
    for (const id of unstarted) this.inFlight.delete(id);
    this.store.release(unstarted, this.workerId, this.clock());
    const pending = [...this.inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    await Promise.race([Promise.all(pending.map((f) => f.done)), deadline]);
    clearTimeout(timer);
    const left = [...this.inFlight.values()];
    for (const f of left) f.controller.abort(this.stopReason);
    this.store.release(left.map((f) => f.job.id), this.workerId, this.clock());
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    return { finished: pending.length - left.length, released: unstarted.length + left.length };
  }

  private tick(): void {
    if (!this.running) return;
    // The claim pass and the next wake-up read the queue at one instant: a job falling due between them (a timer
    // fires a millisecond before the wall clock reaches its run_at) is neither claimed nor waited for otherwise.
    const now = this.clock();
    try {
      if (now - this.lastSweep >= Math.min(1000, this.options.leaseMs / 2)) {
        this.lastSweep = now;
        sweepLeases(this.store, this.logger, this.workerId, now);
      }
      if (now - this.lastLaneAssign >= 1000) {
        this.lastLaneAssign = now;
        this.store.assignLanes((kind) => this.registry.lane(kind));
        this.options.budgets?.publishWaiting(now);
      }
      // Nothing is claimed while claimed jobs still wait to start: their leases run and newer due jobs can wait
      // in the queue, where `botctl status` sees them.
      if (this.startQueue.length === 0 && this.claimLanes(now)) this.wake();
      this.lastTickAt = now;
    } catch (err) {
      this.logger.error({ err }, 'job runner could not read the queue; retrying at the next poll');
    }
    if (this.running) {
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = setTimeout(() => this.tick(), this.nextTickDelay(now));
    }
  }

  /**
   * One claim pass over the lanes, in order: first each lane's reserved slots, then what is left up to each lane's
   * maximum, the non-customer lanes together never past what the customer lanes' reservations leave. A claimed job
   * whose rate budget is spent goes straight back to the queue (JobStore.defer) before it starts. Returns true when
   * the pass took a whole batch or sent jobs back, so another pass should follow at once.
   */
  private claimLanes(now: number): boolean {
    let free = Math.min(this.options.concurrency - this.inFlight.size, CLAIM_BATCH);
    if (free <= 0) return false;
    const active = this.activeByLane();
    let deferred = 0;
    let claimed = 0;
    const otherActive = () => LANES.filter((l) => !CUSTOMER_LANES.includes(l)).reduce((n, l) => n + active[l], 0);
    for (const pass of ['reserved', 'max'] as const) {
      for (const lane of LANES) {
        const share = this.shares.lanes[lane];
        let want = Math.min(free, share[pass] - active[lane]);
        if (!CUSTOMER_LANES.includes(lane)) want = Math.min(want, this.shares.otherMax - otherActive());
        if (want <= 0) continue;
        const kinds = this.registry.namesIn(lane);
        if (kinds.length === 0) continue;
        const jobs = this.store.claim({ workerId: this.workerId, lane, kinds, limit: want, leaseMs: this.options.leaseMs, now });
        claimed += jobs.length;
        for (const job of jobs) {
          if (this.gate.waitForBudget(job, now)) {
            deferred++;
            continue;
          }
          active[lane]++;
          free--;
          this.launch(job);
        }
        if (free <= 0) return true;
      }
    }
    return deferred > 0 || claimed >= CLAIM_BATCH;
  }

  /**
   * Until the next pass: the moment the next scheduled job falls due (a debounced answer is due 2.5 s after the
   * customer's last message; waiting for the next poll would add up to a whole poll to every answer), at most
   * `pollMs`, which also picks up jobs other processes enqueued. Due jobs that could not be claimed (their key is
   * busy, no free slot) do not shorten it: a finishing job wakes the runner.
   */
  private nextTickDelay(now: number): number {
    try {
      const next = this.store.nextRunAt(now);
      return next === null ? this.options.pollMs : Math.min(this.options.pollMs, Math.max(1, next - this.clock()));
    } catch {
      return this.options.pollMs;
    }
  }

  private launch(job: Job): void {
    const controller = new AbortController();
    let begin!: () => void;
    const turn = new Promise<void>((resolve) => (begin = resolve));
    const done = turn
      .then(() => this.execute(job, controller))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.wake();
      });
    this.inFlight.set(job.id, { job, controller, done });
    this.startQueue.push({ id: job.id, begin });
    this.scheduleStart();
  }

  /** Starts the oldest waiting job in its own turn of the loop; its synchronous prefix runs right after. */
  private scheduleStart(): void {
    if (this.starter || this.startQueue.length === 0) return;
    this.starter = setImmediate(() => {
      this.starter = null;
      this.startQueue.shift()?.begin();
      if (this.startQueue.length > 0) this.scheduleStart();
      else this.wake();
    });
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
    const kind = this.registry.get(job.kind)!;
    const log = this.logger.child({ job: job.id, kind: job.kind, trace: job.traceId ?? undefined, tenantId: job.tenantId ?? undefined });
    const attempt = `${job.attempts}/${job.maxAttempts}`;
    const started = this.clock();
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        kind.handler(job, { signal: controller.signal, logger: log }),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => {
            const err = new Error(`timed out after ${kind.policy.timeoutMs} ms`);
            controller.abort(err);
            reject(err);
          }, kind.policy.timeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      if (!this.store.complete(job.id, this.workerId, this.clock())) {
        log.warn({ attempt }, 'job finished after its lease was lost; another attempt may run it again');
        return;
      }
      log.info({ attempt, ms: this.clock() - started }, 'job done');
    } catch (err) {
      clearTimeout(timeout);
      if (controller.signal.reason === this.stopReason) return; // interrupted by stop(), which releases it
      const now = this.clock();
      recordFailure({ store: this.store, registry: this.registry, gate: this.gate, workerId: this.workerId, ...(this.options.random ? { random: this.options.random } : {}) }, job, err, log, attempt, now - started, now);
    }
  }

  private renewLeases(): void {
    if (this.inFlight.size === 0) return;
    try {
      this.store.extendLeases([...this.inFlight.keys()], this.workerId, this.clock() + this.options.leaseMs);
    } catch (err) {
      this.logger.error({ err }, 'could not renew job leases');
    }
  }
}
