import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newWamid } from '../../fakes/whatsapp.js';
import { botctl } from '../../helpers/cli.js';
import { PipelineCell } from '../../helpers/pipeline-cell.js';
import { freePort } from '../../helpers/ports.js';
import { alive, startSupervisor, type SupervisorProcess } from '../../helpers/supervisor-process.js';
import { until } from '../../helpers/until.js';
import { postAll, type Inbound } from '../../helpers/webhook-poster.js';
import { packageRoot } from '../../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md')] };
const WORKER_ARGS = ['--poll-ms', '50'];

let h: PipelineCell;
let replica: string;
let env: Record<string, string>;
const supervisors: SupervisorProcess[] = [];
const acked = new Set<string>();

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SMILE], worker: false, debounceMs: 0 });
  h.llm!.setResponder(() => ({ content: 'Профессиональная чистка зубов стоит 15 000 ₸.' }));
  replica = join(mkdtempSync(join(tmpdir(), 'botctl-replica-')), 'replica');
  env = { ...h.env(0), LITESTREAM_REPLICA_URL: replica };
}, 60_000);
afterAll(async () => {
  for (const s of supervisors) {
    await s.kill();
    for (const pid of [...s.pids('worker'), ...s.pids('litestream')]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await h?.close();
});

async function run(): Promise<SupervisorProcess> {
  const s = await startSupervisor(env, ['--litestream-metrics', `127.0.0.1:${await freePort()}`, '--health-interval', '300ms', '--unhealthy-after', '5s'], WORKER_ARGS);
  supervisors.push(s);
  await s.ready('litestream');
  await s.ready('worker');
  return s;
}

async function post(s: SupervisorProcess, count: number, from = 0): Promise<void> {
  const messages: Inbound[] = Array.from({ length: count }, (_, i) => ({ id: newWamid(), from: String(77_020_000_000 + from + (i % 20)), body: `Сколько стоит чистка зубов? (${from + i})`, phoneNumberId: SMILE.phoneNumberId }));
  const result = await postAll(() => s.url, messages, { concurrency: 8, paceMs: 0, deadline: Date.now() + 30_000 });
  for (const id of result.acked) acked.add(id);
}

/** Waits until the worker has answered everything, so the live row counts stop moving. */
async function settled(): Promise<void> {
  await until(() => h.query<{ n: number }>(`SELECT (SELECT count(*) FROM messages WHERE direction = 'inbound' AND outcome IS NULL)
    + (SELECT count(*) FROM jobs WHERE kind IN ('handle_inbound', 'deliver_message') AND state IN ('pending', 'running')) AS n`)[0]!.n === 0, 20_000, 'the worker to finish');
}

function wamidsIn(path: string): Set<string> {
  const db = new Database(path, { readonly: true });
  try {
    return new Set(db.prepare("SELECT provider_message_id FROM messages WHERE direction = 'inbound'").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

const cli = (args: string[], extra: Record<string, string> = {}) => botctl(args, { ...h.cell.env, LITESTREAM_REPLICA_URL: replica, ...extra }, { timeoutMs: 60_000 });

describe('backups with Litestream under botctl run', () => {
  test('a local replica restores into a new file holding every acknowledged message; status and verify agree', async () => {
    const s = await run();
    await post(s, 120);
    expect(acked.size).toBe(120);
    await settled();

    const verify = await cli(['backup', 'verify', '--json', '--attempts', '5']);
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report).toMatchObject({ ok: true, integrity: 'ok', differences: [], problems: [] });
    expect(report.tables.find((t: { table: string }) => t.table === 'messages').backup).toBeGreaterThanOrEqual(120);

    const status = await cli(['backup', 'status', '--json']);
    expect(status.exitCode).toBe(0);
    const state = JSON.parse(status.stdout);
    expect(state).toMatchObject({ replica, healthy: true, problems: [], litestream: { version: 'v0.3.13' }, database: { exists: true } });
    expect(state.generations.length).toBeGreaterThanOrEqual(1);
    expect(Date.now() - state.lastReplicatedAt).toBeLessThan(60_000);

    const output = join(mkdtempSync(join(tmpdir(), 'botctl-restore-')), 'restored.db');
    const restore = await cli(['backup', 'restore', '--output', output]);
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout).toContain(`restored ${replica} into ${output}`);
    expect(restore.stdout).toMatch(/integrity ok, schema version \d+/);
    // Litestream's temporary files are cleaned up.
    expect(readdirSync(join(output, '..'))).toEqual(['restored.db']);
    const restored = wamidsIn(output);
    for (const id of acked) expect(restored.has(id)).toBe(true);
    expect(await s.stop()).toBe(0);
  }, 120_000);

  test('Litestream killed with -9 is restarted, and what was written meanwhile reaches the replica', async () => {
    const s = await run();
    const first = s.pids('litestream')[0]!;
    process.kill(first, 'SIGKILL');
    await s.ready('litestream', 2);
    expect(s.lines.some((l) => l.includes('"child":"litestream"') && l.includes('was killed by SIGKILL; restarting it'))).toBe(true);
    await post(s, 40, 200);
    await settled();
    // A graceful stop makes Litestream sync what is left before it exits.
    expect(await s.stop()).toBe(0);
    // (Litestream 0.3.13 may still exit 1 here: its last PASSIVE checkpoint on close can fail with "context canceled"
    // after the final sync has been written, which the restore below proves.)
    expect(s.events('child stopped', 'litestream')).toHaveLength(1);
    const output = join(mkdtempSync(join(tmpdir(), 'botctl-restore-')), 'restored.db');
    expect((await cli(['backup', 'restore', '--output', output])).exitCode).toBe(0);
    const restored = wamidsIn(output);
    expect([...acked].filter((id) => !restored.has(id)), s.lines.filter((l) => l.includes('litestream')).join('\n')).toEqual([]);
    expect((await cli(['backup', 'verify', '--attempts', '1'])).exitCode).toBe(0);
  }, 120_000);

  test('restore never overwrites: not the live database, not an existing file, not beside a stale WAL', async () => {
    const live = join(h.cell.dataDir, 'botctl.db');
    const before = statSync(live).mtimeMs;
    const intoLive = await cli(['backup', 'restore']);
    expect(intoLive.exitCode).toBe(1);
    expect(intoLive.stderr).toBe(`Error: ${live} is the live database and exists; restore refuses to overwrite it: restore elsewhere with --output /tmp/botctl-restored.db; to replace the live one, stop the cell (systemctl stop botctl), move ${live} and its -wal/-shm files away, then run botctl backup restore again.`);
    expect(statSync(live).mtimeMs).toBe(before);

    const dir = mkdtempSync(join(tmpdir(), 'botctl-restore-'));
    writeFileSync(join(dir, 'taken.db'), 'precious');
    const existing = await cli(['backup', 'restore', '--output', join(dir, 'taken.db')]);
    expect(existing.exitCode).toBe(1);
    expect(existing.stderr).toContain('already exists; restore never overwrites a file: give --output a path that does not exist yet');
    writeFileSync(join(dir, 'stale.db-wal'), 'old wal');
    const stale = await cli(['backup', 'restore', '--output', join(dir, 'stale.db')]);
    expect(stale.stderr).toContain('stale.db-wal exists without its database; SQLite would replay it into the restored file');
    expect(existsSync(join(dir, 'stale.db'))).toBe(false);
  }, 60_000);

  test('verify fails when the replica is behind, missing or damaged, naming the cause', async () => {
    // Nothing replicates now: a tenant added by the CLI exists only in the live database.
    const add = await botctl(['tenant', 'add', 'late', '--name', 'Late Ltd', '--timezone', 'Asia/Almaty', '--whatsapp-phone-number-id', '3000003', '--whatsapp-token', 'EAAGlatetoken0123456789abcdefghijkl', '--telegram-chat-id', '-100777'], h.cell.env);
    expect(add.exitCode).toBe(0);
    const behind = await cli(['backup', 'verify', '--attempts', '1']);
    expect(behind.exitCode).toBe(1);
    expect(behind.stderr).toMatch(/^Error: the backup is behind the live database after 1 tries \(.*tenants 2 live, 1 in the backup.*\): check that botctl run is running/m);
    expect(behind.stdout).toMatch(/tenants +live +2 +backup +1 +DIFFERS/);

    const empty = mkdtempSync(join(tmpdir(), 'botctl-empty-replica-'));
    const missing = await cli(['backup', 'verify'], { LITESTREAM_REPLICA_URL: empty });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`there is no backup in ${empty}: check LITESTREAM_REPLICA_URL, and that botctl run has replicated at least once (botctl backup status)`);
    const noStatus = await cli(['backup', 'status'], { LITESTREAM_REPLICA_URL: empty });
    expect(noStatus.exitCode).toBe(1);
    expect(noStatus.stdout).toContain(`problem      the replica ${empty} holds no backup yet`);

    // A copy of the replica with every snapshot's bytes overwritten in the middle, as a failing disk would.
    const damaged = join(mkdtempSync(join(tmpdir(), 'botctl-damaged-')), 'replica');
    cpSync(replica, damaged, { recursive: true });
    const snapshots = readdirSync(damaged, { recursive: true }).map(String).filter((f) => f.endsWith('.snapshot.lz4'));
    expect(snapshots.length).toBeGreaterThan(0);
    for (const file of snapshots) {
      const path = join(damaged, file);
      const size = statSync(path).size;
      const fd = (await import('node:fs')).openSync(path, 'r+');
      (await import('node:fs')).writeSync(fd, Buffer.alloc(Math.min(4096, size - 16), 0xa5), 0, Math.min(4096, size - 16), 8);
      (await import('node:fs')).closeSync(fd);
    }
    const corrupt = await cli(['backup', 'verify', '--attempts', '1'], { LITESTREAM_REPLICA_URL: damaged });
    expect(corrupt.exitCode).toBe(1);
    expect(corrupt.stderr).toMatch(/^Error: (the backup in .* could not be restored \(.+\): the replica may be damaged|the restored copy fails its integrity check)/);
  }, 60_000);

  test('after losing the database, restore without --output rebuilds it in place and the cell runs on it', async () => {
    const dataDir = h.cell.dataDir;
    const aside = mkdtempSync(join(tmpdir(), 'botctl-lost-'));
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('botctl.db'))) renameSync(join(dataDir, f), join(aside, f));
    const restore = await cli(['backup', 'restore']);
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout).toContain(`into ${join(dataDir, 'botctl.db')}`);
    const restored = wamidsIn(join(dataDir, 'botctl.db'));
    expect([...acked].filter((id) => !restored.has(id))).toEqual([]);
    mkdirSync(dataDir, { recursive: true });
    const s = await run();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await s.stop()).toBe(0);
  }, 120_000);
});
