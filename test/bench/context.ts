import Database from 'better-sqlite3';
import type { BenchCell } from './cell.js';
import type { Scale } from './scales.js';
import type { SeededTenant } from './seed.js';

/** What every scenario gets: the seeded cell (shared by all scenarios of one run), its tenants, the scale. */
export interface BenchContext {
  cell: BenchCell;
  tenants: SeededTenant[];
  scale: Scale;
  /** A folder for load specs, results, logs and profiles of this run. */
  workDir: string;
  /** node flags for worker processes (e.g. --cpu-prof with --profile). */
  workerNodeFlags: string[];
  log(line: string): void;
}

/** The cell's Meta app secret in the benchmark (WHATSAPP_APP_SECRET); tenants have no secret of their own. */
export const APP_SECRET = 'bench-app-secret-0123456789abcdef';
export const VERIFY_TOKEN = 'bench-verify-token';
export const LLM_KEY = 'sk-bench-0123456789abcdefghijkl';
/** A loopback port nothing listens on: a worker that must not call out gets this as every remote API's address. */
export const NOWHERE = 'http://127.0.0.1:9';

/** A read-only look at the cell's database (WAL: sees every commit the worker made). */
export function readDb<T>(ctx: BenchContext, fn: (db: Database.Database) => T): T {
  const db = new Database(ctx.cell.dbPath, { readonly: true });
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A writable connection for clean-up between scenarios, only while no worker runs. */
export function writeDb<T>(ctx: BenchContext, fn: (db: Database.Database) => T): T {
  const db = new Database(ctx.cell.dbPath);
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The first contact id of a seeded tenant (contacts were seeded tenant by tenant, `contactsPerTenant` each). */
export function firstContactOf(ctx: BenchContext, tenantId: number): number {
  return (tenantId - 1) * ctx.scale.seed.contactsPerTenant + 1;
}
