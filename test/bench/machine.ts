import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem, availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  node: string;
  kernel: string;
  sqlite: string;
  /** `uptime` when sampled: the benchmark shares the machine, and its load changes every figure. */
  uptime: string;
  /** One-row WAL commits per second on the benchmark's disk, fsynced (FULL) and not (NORMAL). */
  fsync: { fullPerSecond: number; normalPerSecond: number };
}

export function describeMachine(dir: string): Machine {
  const model = cpus()[0]?.model ?? 'unknown';
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return {
    cpu: model, cores: availableParallelism(), memoryGb: totalmem() / 2 ** 30, freeMemoryGb: freemem() / 2 ** 30,
    node: process.version, kernel: release(), sqlite, uptime: uptime(), fsync: probeDisk(dir),
  };
}

export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
}

/** What one durable commit costs on this disk: the floor under ingest when every webhook commit fsyncs. */
function probeDisk(dir: string): { fullPerSecond: number; normalPerSecond: number } {
  const path = join(dir, 'disk-probe.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const body = 'x'.repeat(800);
  const rate = (mode: string, n: number) => {
    db.pragma(`synchronous = ${mode}`);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) db.transaction(() => insert.run(body)).immediate();
    return n / ((performance.now() - t0) / 1000);
  };
  const fsync = { fullPerSecond: rate('FULL', 300), normalPerSecond: rate('NORMAL', 3000) };
  db.close();
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  return fsync;
}
