import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { JobStore } from '../../src/storage/job-store.js';
import { applyMigrations } from '../../src/storage/migrate.js';
import { openDatabase, type Db } from '../../src/storage/open-db.js';
import { until } from '../helpers/until.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', 'fixtures', 'job-worker.mjs');
const COMPILED_RUNNER = join(here, '..', '..', 'dist', 'src', 'jobs', 'runner.js');

interface Worker {
  child: ChildProcess;
  pid: number;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface JobRow {
  id: number;
  state: string;
  attempts: number;
  concurrency_key: string | null;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  finished_at: number | null;
}

const workers: Worker[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) cleanup();
});

beforeAll(() => {
  if (!existsSync(COMPILED_RUNNER)) throw new Error(`${COMPILED_RUNNER} is missing: build first with npx tsc -p .`);
});

/** A fresh migrated cell database in a temp folder, plus the test's own connection to it. */
function cell(): { dataDir: string; db: Db; store: JobStore } {
  const dataDir = mkdtempSync(join(tmpdir(), 'botctl-jobs-crash-'));
  const db = openDatabase(dataDir);
  applyMigrations(db);
  cleanups.push(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, db, store: new JobStore(db) };
}

/** Starts test/fixtures/job-worker.mjs (the compiled runner) as a real child process and waits for `ready`. */
async function startWorker(dataDir: string, env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--', FIXTURE, dataDir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker: Worker = {
    child,
    pid: child.pid!,
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  workers.push(worker);
  child.stdout!.on('data', (chunk: Buffer) => worker.stdout.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => worker.stderr.push(...chunk.toString().split('\n').filter(Boolean)));
  await until(() => {
    if (child.exitCode !== null) throw new Error(`job worker exited with ${child.exitCode}: ${worker.stderr.join('\n')}`);
    return worker.stdout.includes('ready');
  }, 15_000, 'job worker ready');
  return worker;
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

describe('jobs survive real worker crashes', () => {
  test('a job whose worker is SIGKILLed mid-handler runs again to completion on another worker once its lease expires', async () => {
    const LEASE_MS = 1000;
    const { dataDir, db, store } = cell();
    const id = store.enqueue({ kind: 'test.slow', payload: { ms: 600 }, maxAttempts: 5 }, Date.now());
    const markers = () =>
      tableExists(db, 'test_markers')
        ? (db.prepare('SELECT event, attempt, pid, at FROM test_markers WHERE job_id = ? ORDER BY id').all(id) as { event: string; attempt: number; pid: number; at: number }[])
        : [];
    const job = () => db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;

    const first = await startWorker(dataDir, { LEASE_MS: String(LEASE_MS), POLL_MS: '25' });
    await until(() => markers().some((m) => m.event === 'started'), 15_000, 'the handler started on the first worker');
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The dead worker's claim is still in the database, with a lease that has not run out yet.
    const orphaned = job();
    expect(orphaned).toMatchObject({ state: 'running', attempts: 1, locked_by: `job-worker:${first.pid}` });
    expect(orphaned.locked_until!).toBeGreaterThan(killedAt);
    expect(markers().map((m) => [m.event, m.pid])).toEqual([['started', first.pid]]);

    const second = await startWorker(dataDir, { LEASE_MS: String(LEASE_MS), POLL_MS: '25' });
    const done = await until(() => (job().state === 'done' ? job() : null), 30_000, 'the job done on the second worker');
    const doneAt = Date.now();

    expect(done.attempts).toBe(2);
    expect(done.last_error).toBe('lease expired after attempt 1: the worker running it stopped (crash, kill or hang)');
    expect(done.locked_by).toBe(`job-worker:${second.pid}`);
    const events = markers();
    expect(events.map((m) => [m.event, m.attempt, m.pid])).toEqual([
      ['started', 1, first.pid],
      ['started', 2, second.pid],
      ['finished', 2, second.pid],
    ]);
    // Nobody took the job while the dead worker's lease still held it, and recovery took a lease, not minutes.
    expect(events[1]!.at).toBeGreaterThanOrEqual(orphaned.locked_until!);
    expect(done.finished_at! - killedAt).toBeGreaterThanOrEqual(LEASE_MS);
    expect(doneAt - killedAt).toBeLessThan(15_000);
    expect(second.stderr.some((l) => l.includes('job lease expired; job will run again'))).toBe(true);

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stdout).toContain('stopped {"finished":0,"released":0}');
  }, 60_000);

  test('two worker processes over one database never overlap jobs of the same concurrency key, and finish every job', async () => {
    const { dataDir, db, store } = cell();
    // More keys than slots (2 workers × 2): a worker that finishes a job then takes the oldest job of any idle key,
    // so a key's jobs pass from one process to the other instead of sticking to one.
    const env = { LEASE_MS: '2000', POLL_MS: '20', CONCURRENCY: '2' };
    const [a, b] = await Promise.all([startWorker(dataDir, env), startWorker(dataDir, env)]);

    const keys = ['contact:1', 'contact:2', 'contact:3', 'contact:4', 'contact:5', 'contact:6'];
    const idsByKey = new Map<string, number[]>(keys.map((k) => [k, []]));
    // Shuffled, so a key's jobs are sometimes neighbours in id order (a claim that ignored running jobs of a key would
    // take them together) and sometimes far apart; handler times vary so workers finish out of step.
    const plan: (string | null)[] = [...keys.flatMap((key) => Array<string>(8).fill(key)), ...Array<null>(6).fill(null)];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
    db.transaction(() => {
      const now = Date.now();
      for (const key of plan) {
        const id = store.enqueue({ kind: 'test.interval', concurrencyKey: key, payload: { ms: 10 + Math.floor(Math.random() * 30) }, maxAttempts: 5 }, now);
        if (key) idsByKey.get(key)!.push(id);
      }
    })();
    const total = plan.length;

    const count = (state: string) => (db.prepare('SELECT count(*) AS n FROM jobs WHERE state = ?').get(state) as { n: number }).n;
    await until(() => count('done') === total, 45_000, `all ${total} jobs done`);

    const jobs = db.prepare('SELECT * FROM jobs ORDER BY id').all() as JobRow[];
    expect(jobs).toHaveLength(total);
    expect(jobs.every((j) => j.state === 'done' && j.attempts === 1)).toBe(true);

    const intervals = db.prepare('SELECT job_id AS jobId, concurrency_key AS key, pid, start, end FROM test_intervals ORDER BY start, id').all() as {
      jobId: number; key: string | null; pid: number; start: number; end: number;
    }[];
    // Each job ran exactly once.
    expect(intervals.map((i) => i.jobId).sort((x, y) => x - y)).toEqual(jobs.map((j) => j.id));
    for (const key of keys) {
      const runs = intervals.filter((i) => i.key === key);
      expect(runs.map((r) => r.jobId)).toEqual(idsByKey.get(key));
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i]!.start, `${key}: job ${runs[i]!.jobId} started before job ${runs[i - 1]!.jobId} ended`).toBeGreaterThanOrEqual(runs[i - 1]!.end);
      }
    }
    // Both processes took part, and a key's jobs moved between them (so the check above spans processes).
    const pids = new Set(intervals.map((i) => i.pid));
    expect(pids).toEqual(new Set([a.pid, b.pid]));
    // Times a key's next job ran in the other process than its previous one: the overlap check spans processes.
    const handoffs = keys.map((key) => intervals.filter((i) => i.key === key).filter((r, i, runs) => i > 0 && r.pid !== runs[i - 1]!.pid).length);
    expect(handoffs.reduce((x, y) => x + y, 0), `handoffs per key: ${handoffs.join(',')}`).toBeGreaterThanOrEqual(1);

    for (const w of [a, b]) w.child.kill('SIGTERM');
    for (const w of [a, b]) expect(await w.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
