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
}

export type TakeResult = { ok: true } | { ok: false; at: number; key: string };

export class RateBudgets {
  private readonly cache = new Map<string, BudgetState>();
  /** Per budget, the latest time a deferred job was told to come back: later waiters queue behind it. */
  private readonly queuedUntil = new Map<string, number>();

  constructor(private readonly store: BudgetStorePort) {}

  /**
   * Takes one unit of every need at `now`, or none of them: then says when the job should come back, which is when
   * the scarcest budget frees, behind the jobs already sent back to wait for it.
   */
  take(needs: readonly BudgetNeed[], now: number): TakeResult {
    let worst: { at: number; need: BudgetNeed } | null = null;
    for (const need of needs) {
      const at = this.conformsAt(need, now);
      if (at > now && (worst === null || at > worst.at)) worst = { at, need };
    }
    if (worst !== null) {
      const { need } = worst;
      const queued = this.queuedUntil.get(need.key) ?? 0;
      const at = queued >= worst.at ? queued + need.intervalMs : worst.at;
      this.queuedUntil.set(need.key, at);
      return { ok: false, at, key: need.key };
    }
    for (const need of needs) {
      const state = this.state(need.key, now);
      this.save(need.key, { tat: Math.max(state.tat, now) + need.intervalMs, blockedUntil: state.blockedUntil }, now);
    }
    return { ok: true };
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
