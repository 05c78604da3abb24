import type { Db } from './open-db.js';
import { DESTINATIONS_SQL, LANES_SQL, type DestinationRow, type LaneRow } from './ops-store.js';

export interface JobCount {
  state: 'pending' | 'running' | 'dead';
  kind: string;
  n: number;
}

export const PENDING = "SELECT 'pending' AS state, kind, count(*) AS n FROM jobs WHERE state = 'pending' GROUP BY kind";
export const RUNNING = "SELECT 'running' AS state, kind, count(*) AS n FROM jobs WHERE state = 'running' GROUP BY kind";
export const DEAD = "SELECT 'dead' AS state, kind, count(*) AS n FROM jobs WHERE state IN ('done', 'dead') AND state = 'dead' GROUP BY kind";
export const OLDEST_DUE = "SELECT min(run_at) FROM jobs WHERE state = 'pending' AND run_at <= ?";
export { LANES_SQL as LANES, DESTINATIONS_SQL as DESTINATIONS } from './ops-store.js';

/**
 * The reads a metrics scrape makes. Each one is answered from a partial index of `jobs` (jobs_due, jobs_leases,
 * jobs_finished; test/unit/storage/metrics-store.test.ts checks the plans), so a scrape costs the same with a week of done jobs in the table as with none.
 */
export class MetricsStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      slug: db.prepare('SELECT slug FROM tenants WHERE id = ?').pluck(),
      pending: db.prepare(PENDING),
      running: db.prepare(RUNNING),
      // The IN term repeats the partial index's own WHERE: SQLite uses a partial index only when the query states it.
      dead: db.prepare(DEAD),
      oldestDue: db.prepare(OLDEST_DUE).pluck(),
      lanes: db.prepare(LANES_SQL),
      destinations: db.prepare(DESTINATIONS_SQL),
    };
  }

  tenantSlug(id: number): string | null {
    return (this.statements.slug.get(id) as string | undefined) ?? null;
  }

  /** Jobs that are not done, by state and kind (done jobs are history, not queue depth). */
  jobCounts(): JobCount[] {
    return [...this.statements.pending.all(), ...this.statements.running.all(), ...this.statements.dead.all()] as JobCount[];
  }

  /** Due jobs per lane and the oldest of each. */
  lanes(now: number): LaneRow[] {
    return this.statements.lanes.all(now) as LaneRow[];
  }

  /** Destinations with jobs waiting for their rate budget (at most `limit`, longest-waiting first). */
  destinations(limit: number): DestinationRow[] {
    return this.statements.destinations.all(limit) as DestinationRow[];
  }

  /** `run_at` of the pending job that has waited longest past its due time, or null when none is due. */
  oldestDueRunAt(now: number): number | null {
    return (this.statements.oldestDue.get(now) as number | null | undefined) ?? null;
  }
}
