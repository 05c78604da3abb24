import type { LagReader } from '../observability/event-loop-lag.js';
import { knownMigrations, migrationStatus, type Migration } from '../storage/migrate.js';
import type { Db } from '../storage/open-db.js';

/** One named readiness condition another component owns (e.g. the Telegram poller: "polled in the last minute"). */
export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; detail?: string };
}

export interface CheckResult {
  ok: boolean;
  detail?: string;
  /** What a person does about it, when it failed. */
  fix?: string;
  [measure: string]: unknown;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, CheckResult>;
  /** The names of the failed checks, so a glance (or `jq .failing`) says what is wrong. */
  failing: string[];
}

export function report(checks: Record<string, CheckResult>): HealthReport {
  const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
  return { ok: failing.length === 0, checks, failing };
}

/** Writes one row: proves the file, the disk and the lock are usable, which a read would not. */
export function databaseWritable(db: Db, now: number): CheckResult {
  try {
    db.prepare("INSERT INTO cell_meta (key, value) VALUES ('health_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(Buffer.from(String(now)));
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: `database not writable: ${(err as Error).message}`, fix: 'check disk space and the data folder permissions (botctl doctor)' };
  }
}

/** A loop that stalls for seconds answers nobody in time: the supervisor should restart it. */
export function eventLoopResponsive(reader: LagReader, limitMs: number): CheckResult {
  const lag = reader.recent();
  const measures = { p99Ms: round(lag.p99Ms), maxMs: round(lag.maxMs), limitMs };
  if (lag.p99Ms < limitMs) return { ok: true, ...measures };
  return {
    ok: false, ...measures,
    detail: `event loop delay p99 ${round(lag.p99Ms)} ms over the last window (limit ${limitMs} ms): something blocks the worker`,
    fix: 'look for a long synchronous task in botctl logs --level warn; the supervisor restarts a worker that stays stuck',
  };
}

/** The shipped migrations, read once: the files do not change under a running worker. */
export function schemaCheck(db: Db, known: Migration[] = knownMigrations()): () => CheckResult {
  return () => {
    try {
      const status = migrationStatus(db, known);
      const measures = { current: status.current, latest: status.latest };
      if (status.pending.length === 0 && status.current === status.latest) return { ok: true, ...measures };
      return {
        ok: false, ...measures,
        detail: status.current > status.latest ? `schema ${status.current} is newer than this botctl (${status.latest})` : `schema ${status.current}, migrations up to ${status.latest} not applied`,
        fix: status.current > status.latest ? 'upgrade botctl to the version that wrote the database' : 'run botctl migrate, or restart the worker (it migrates on start)',
      };
    } catch (err) {
      return { ok: false, detail: `cannot read the migrations ledger: ${(err as Error).message}`, fix: 'botctl doctor' };
    }
  };
}

export function jobRunnerTurning(lastTickAt: number, now: number, limitMs: number): CheckResult {
  const age = now - lastTickAt;
  if (age < limitMs) return { ok: true, lastTickMsAgo: age };
  return {
    ok: false, lastTickMsAgo: lastTickAt === 0 ? null : age,
    detail: lastTickAt === 0 ? 'the job runner has not read the queue yet' : `the job runner last read the queue ${Math.round(age / 1000)} s ago`,
    fix: 'botctl logs --level error shows why; the supervisor restarts a worker that stays unready',
  };
}

/** A component's own check; one that throws is a failed check, not a failed probe. */
export function runReadiness(check: ReadinessCheck): CheckResult {
  try {
    const result = check.check();
    return result.ok ? { ok: true, ...(result.detail ? { detail: result.detail } : {}) } : { ok: false, detail: result.detail ?? `${check.name} is not ready` };
  } catch (err) {
    return { ok: false, detail: `the check threw: ${(err as Error).message}` };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
