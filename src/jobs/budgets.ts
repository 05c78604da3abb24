/**
 * Rate budgets of remote destinations (a Telegram group's 20 messages a minute, the bot's 30 a second, a WhatsApp
 * number's throughput, the pacing towards one customer). The runner takes a unit of every budget a job needs before
 * it starts the job; with one exhausted the job goes back to the queue until it frees, so waiting for a budget never
 * holds a job slot. A 429 / Graph 130429 blocks the destination's budget for its retry_after, for every job.
 *
 * Each budget is a generic cell rate algorithm (GCRA): one unit every `intervalMs`, up to `burst` at once. Over any
 * window of W ms it lets through at most `burst + W / intervalMs` units, which is how each budget is sized.
 */

/** One budget a job needs: the destination's key and its rate. `scope` names it for errors ("group", "number"). */
export interface BudgetNeed {
  key: string;
  scope: string;
  intervalMs: number;
  burst: number;
}

export interface BudgetState {
  /** Theoretical arrival time: when the budget has a whole unit again with no burst left. */
  tat: number;
  blockedUntil: number;
}

/** Where budgets are kept, so a restarted worker does not spend again what its predecessor spent. */
export interface BudgetStorePort {
  get(key: string): BudgetState | null;
  put(key: string, state: BudgetState, now: number): void;
  /** Optional: what waits for each budget now (for status, metrics and watch). */
  recordWaiting?(waiting: ReadonlyArray<BudgetWaiting>, now: number): void;
}

/** Jobs waiting for one budget now, and since when the oldest of them waits. */
export interface BudgetWaiting {
  key: string;
  jobs: number;
  since: number;
}

export type TakeResult = { ok: true } | { ok: false; at: number; key: string };

export class RateBudgets {
  private readonly cache = new Map<string, BudgetState>();
  /** Per budget, the jobs sent back to wait for it and when each was told to come back. */
  private readonly waiters = new Map<string, Map<number, number>>();
  /** When each waiting job was first sent back (cleared when it gets its unit). */
  private readonly waitingSince = new Map<number, number>();

  constructor(private readonly store: BudgetStorePort) {}

  /**
   * Takes one unit of every need at `now`, or none of them: then says when the job should come back, which is when
   * the scarcest budget frees, behind the jobs already sent back to wait for it (a job keeps its place when it comes
   * back early or is sent back again). A `first` job does not queue: it comes back when the budget frees, and is
   * claimed before the waiters then.
   */
  take(needs: readonly BudgetNeed[], now: number, job: { id: number; first?: boolean } = { id: -1 }): TakeResult {
    let worst: { at: number; need: BudgetNeed } | null = null;
    for (const need of needs) {
      const at = this.conformsAt(need, now);
      if (at > now && (worst === null || at > worst.at)) worst = { at, need };
    }
    if (worst !== null) {
      const { need } = worst;
      const waiting = this.waitersOf(need.key, now);
      const held = waiting.get(job.id);
      if (held !== undefined && held >= worst.at) return { ok: false, at: held, key: need.key };
      let at = worst.at;
      // A waiter whose turn was taken (by a first job, or by an older job coming due with it) keeps its precedence:
      // it comes back at the next free unit, and the claim order (oldest fair place first) settles who gets it.
      if (!this.waitingSince.has(job.id)) this.waitingSince.set(job.id, now);
      if (held !== undefined) waiting.set(job.id, at);
      else if (!job.first) {
        const last = Math.max(0, ...waiting.values());
        if (last >= at) at = last + need.intervalMs;
        waiting.set(job.id, at);
      }
      return { ok: false, at, key: need.key };
    }
    for (const need of needs) {
      const state = this.state(need.key, now);
      this.save(need.key, { tat: Math.max(state.tat, now) + need.intervalMs, blockedUntil: state.blockedUntil }, now);
      this.waiters.get(need.key)?.delete(job.id);
    }
    this.waitingSince.delete(job.id);
    return { ok: true };
  }

  /** What waits for each budget now, the most waited-for first. */
  waiting(now: number): BudgetWaiting[] {
    const out: BudgetWaiting[] = [];
    for (const key of this.waiters.keys()) {
      const jobs = [...this.waitersOf(key, now).keys()];
      if (jobs.length === 0) continue;
      out.push({ key, jobs: jobs.length, since: Math.min(...jobs.map((id) => this.waitingSince.get(id) ?? now)) });
    }
    return out.sort((a, b) => a.since - b.since);
  }

  /** Writes `waiting` to the store, for readers in other processes. */
  publishWaiting(now: number): void {
    this.store.recordWaiting?.(this.waiting(now), now);
  }

  /** Jobs waiting for `key` whose return time is not long past (a job that never came back frees its place). */
  private waitersOf(key: string, now: number): Map<number, number> {
    let waiting = this.waiters.get(key);
    if (!waiting) {
      waiting = new Map();
      this.waiters.set(key, waiting);
    }
    for (const [id, at] of waiting) {
      if (at >= now - 60_000) continue;
      waiting.delete(id);
      this.waitingSince.delete(id);
    }
    return waiting;
  }

  /** The destination refused with a rate limit: nothing is sent to it before `until`. */
  block(key: string, until: number, now: number): void {
    const state = this.state(key, now);
    if (until > state.blockedUntil) this.save(key, { ...state, blockedUntil: until }, now);
  }

  /** When `need` has a unit free (now or earlier when it has one now). */
  conformsAt(need: BudgetNeed, now: number): number {
    const state = this.state(need.key, now);
    return Math.max(state.tat - (need.burst - 1) * need.intervalMs, state.blockedUntil, now);
  }

  private state(key: string, now: number): BudgetState {
    let state = this.cache.get(key);
    if (!state) {
      state = this.store.get(key) ?? { tat: now, blockedUntil: 0 };
      this.cache.set(key, state);
    }
    return state;
  }

  private save(key: string, state: BudgetState, now: number): void {
    this.cache.set(key, state);
    this.store.put(key, state, now);
  }
}

/** Budgets kept in memory only (tests, and a worker without a database). */
export class MemoryBudgetStore implements BudgetStorePort {
  private readonly states = new Map<string, BudgetState>();
  get(key: string): BudgetState | null {
    return this.states.get(key) ?? null;
  }
  put(key: string, state: BudgetState): void {
    this.states.set(key, state);
  }
}
