import type { BudgetState, BudgetStorePort } from '../jobs/budgets.js';
import type { Db } from './open-db.js';

export const BUDGET_SQL = {
  get: 'SELECT tat, blocked_until AS blockedUntil FROM rate_budgets WHERE key = ?',
  put: `INSERT INTO rate_budgets (key, tat, blocked_until, updated_at) VALUES (@key, @tat, @blockedUntil, @now)
    ON CONFLICT (key) DO UPDATE SET tat = excluded.tat, blocked_until = excluded.blocked_until, updated_at = excluded.updated_at`,
  setWaiting: `INSERT INTO rate_budgets (key, tat, waiting, waiting_since, updated_at) VALUES (@key, @now, @waiting, @since, @now)
    ON CONFLICT (key) DO UPDATE SET waiting = excluded.waiting, waiting_since = excluded.waiting_since`,
  waitingKeys: 'SELECT key FROM rate_budgets WHERE waiting > 0',
  // A budget untouched for a day is full again: its row says nothing a missing row would not.
  prune: 'DELETE FROM rate_budgets WHERE key IN (SELECT key FROM rate_budgets WHERE updated_at < @before LIMIT @batch)',
} as const;

/** The rate budgets' rows (src/jobs/budgets.ts): one per destination, written on every unit taken. */
export class BudgetStore implements BudgetStorePort {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      get: db.prepare(BUDGET_SQL.get), put: db.prepare(BUDGET_SQL.put), prune: db.prepare(BUDGET_SQL.prune),
      setWaiting: db.prepare(BUDGET_SQL.setWaiting), waitingKeys: db.prepare(BUDGET_SQL.waitingKeys).pluck(),
    };
  }

  get(key: string): BudgetState | null {
    return (this.statements.get.get(key) as BudgetState | undefined) ?? null;
  }

  put(key: string, state: BudgetState, now: number): void {
    this.statements.put.run({ key, tat: state.tat, blockedUntil: state.blockedUntil, now });
  }

  /** Records the jobs waiting for each budget now; budgets missing from `waiting` have none. */
  recordWaiting(waiting: ReadonlyArray<{ key: string; jobs: number; since: number }>, now: number): void {
    const keys = new Set(waiting.map((w) => w.key));
    this.db.transaction(() => {
      for (const key of this.statements.waitingKeys.all() as string[]) if (!keys.has(key)) this.statements.setWaiting.run({ key, waiting: 0, since: null, now });
      for (const w of waiting) this.statements.setWaiting.run({ key: w.key, waiting: w.jobs, since: w.since, now });
    })();
  }

  /** Deletes budgets not used since `before`, in batches; returns how many. */
  prune(before: number, batch = 1000): number {
    let total = 0;
    for (;;) {
      const { changes } = this.statements.prune.run({ before, batch });
      total += changes;
      if (changes < batch) return total;
    }
  }
}
