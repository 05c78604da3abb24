import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';
import { initCell, type TempCell } from '../../helpers/cli.js';
import { startNotifySocket } from '../../helpers/notify-socket.js';
import { alive, startSupervisor, type SupervisorProcess } from '../../helpers/supervisor-process.js';
import { until } from '../../helpers/until.js';
import { WORKER_NODE_FLAGS } from '../../../src/supervisor/cell-children.js';

// Quick health timing so a blocked worker is noticed in about a second and a half.
const FAST_HEALTH = ['--health-interval', '200ms', '--unhealthy-after', '1500ms'];

const running: SupervisorProcess[] = [];
const strays: number[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
  for (const pid of strays.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

let sim: TelegramSimulator;
let oncall: number;
beforeAll(async () => {
  sim = await startTelegramSimulator();
  oncall = sim.createChat({ type: 'supergroup', title: 'botctl on-call' }).id;
});
afterAll(async () => sim?.close());

async function supervise(cell: TempCell, flags: string[] = [], env: Record<string, string> = {}): Promise<SupervisorProcess> {
  const s = await startSupervisor({ ...cell.env, ...env }, flags);
  running.push(s);
  return s;
}

function workerPidsOf(s: SupervisorProcess) {
  const pids = s.pids('worker');
  strays.push(...pids);
  return pids;
}

describe('botctl run supervises the worker', () => {
  test('a worker that exits is restarted within 2 s (default policy), and serves again', async () => {
    const cell = await initCell();
    const s = await supervise(cell);
    const first = await s.ready('worker');
    // The worker runs with the supervisor's Node flags (its bounded heap), before the script's own arguments.
    const argv = readFileSync(`/proc/${first}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, argv.indexOf('--'))).toEqual([...WORKER_NODE_FLAGS]);
    const killedAt = Date.now();
    process.kill(first, 'SIGKILL');
    const second = await s.ready('worker', 2);
    expect(second).not.toBe(first);
    const restarted = s.events('child started', 'worker')[1]!;
    expect(Date.parse(restarted.time as string) - killedAt).toBeLessThan(2000);
    expect(s.events('child was killed by SIGKILL; restarting it', 'worker')).toMatchObject([{ pid: first, signal: 'SIGKILL', restartInMs: 1000 }]);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    workerPidsOf(s);
    expect(await s.stop()).toBe(0);
  }, 30_000);

  test('a worker whose event loop stops answering (SIGSTOP) is detected by its health check and replaced', async () => {
    const cell = await initCell();
    const s = await supervise(cell, FAST_HEALTH);
    const stuck = await s.ready('worker');
    strays.push(stuck);
    process.kill(stuck, 'SIGSTOP');
    const stoppedAt = Date.now();
    const replacement = await s.ready('worker', 2, 15_000);
    expect(replacement).not.toBe(stuck);
    const unhealthy = s.lines.find((l) => l.includes('child is unhealthy'));
    expect(unhealthy).toMatch(/child is unhealthy \(its health check has failed for \d+\.\d s\); restarting it/);
    expect(JSON.parse(unhealthy!)).toMatchObject({ child: 'worker', pid: stuck, level: 'error' });
    // Detected after --unhealthy-after (1.5 s), well before any default would have.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await until(() => !alive(stuck), 5000, 'the stopped worker to be killed');
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    workerPidsOf(s);
    expect(await s.stop()).toBe(0);
  }, 30_000);

  test('a crash loop (schema newer than the worker knows) stops at the limit with exactly one alert, and exits 1', async () => {
    const cell = await initCell();
    const db = new Database(join(cell.dataDir, 'botctl.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)").run();
    db.close();
    const before = sim.messagesIn(oncall).length;
    const s = await supervise(cell, ['--restart-delay', '100ms', '--restart-delay-max', '400ms', '--max-restarts', '3', '--restart-window', '1m'], {
      TELEGRAM_BOT_TOKEN: sim.token, TELEGRAM_API_ROOT: sim.url, BOTCTL_ONCALL_CHAT_ID: String(oncall),
    });
    expect(await s.exited).toBe(1);
    // The first start and three restarts; the fourth exit gives up.
    expect(s.pids('worker')).toHaveLength(4);
    expect(s.lines.filter((l) => l.includes('restarting it'))).toHaveLength(3);
    const alerts = sim.messagesIn(oncall).slice(before);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toMatch(/^botctl on .+: the worker keeps failing; botctl run gave up\nIt exited with code 1 after 3 restarts within 1m\./);
    expect(alerts[0]!.text).toContain('schema version 999, newer than this botctl knows');
    expect(alerts[0]!.text).toMatch(/\nFix: /);
    expect(alerts[0]!.text).not.toContain(cell.secretKey);
    expect(s.lines.some((l) => l.includes('give-up alert sent to the on-call chat'))).toBe(true);

    // systemd restarts the unit into the same crash loop: the on-call chat is not told again within the hour.
    const again = await supervise(cell, ['--restart-delay', '100ms', '--restart-delay-max', '400ms', '--max-restarts', '3', '--restart-window', '1m'], {
      TELEGRAM_BOT_TOKEN: sim.token, TELEGRAM_API_ROOT: sim.url, BOTCTL_ONCALL_CHAT_ID: String(oncall),
    });
    expect(await again.exited).toBe(1);
    expect(again.lines.some((l) => l.includes('the on-call chat was already told about this failure; not again within the hour'))).toBe(true);
    expect(sim.messagesIn(oncall).slice(before)).toHaveLength(1);
  }, 30_000);

  test('a crash loop with no on-call chat configured still gives up, and says the alert could not be sent', async () => {
    const cell = await initCell();
    const db = new Database(join(cell.dataDir, 'botctl.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)").run();
    db.close();
    const s = await supervise(cell, ['--restart-delay', '100ms', '--restart-delay-max', '100ms', '--max-restarts', '1']);
    expect(await s.exited).toBe(1);
    expect(s.lines[0]).toContain('a crash loop will reach nobody: alerts cannot be sent: TELEGRAM_BOT_TOKEN is not set');
    expect(s.lines.find((l) => l.includes('the give-up alert could not be sent'))).toContain('TELEGRAM_BOT_TOKEN is not set');
  }, 30_000);

  test('SIGTERM drains the worker and exits 0; every line is JSON and no secret is in them', async () => {
    const cell = await initCell();
    const s = await supervise(cell);
    const pid = await s.ready('worker');
    expect(await s.stop()).toBe(0);
    expect(alive(pid)).toBe(false);
    const output = s.lines.join('\n');
    expect(output).toContain('"msg":"draining"');
    expect(output).toContain('"proc":"worker","signal":"SIGTERM","msg":"draining"');
    expect(output).toContain('"msg":"worker stopped"');
    expect(s.events('child stopped', 'worker')[0]).toMatchObject({ code: 0, signal: null });
    for (const line of s.lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).not.toContain(cell.secretKey);
  }, 30_000);

  test('if the supervisor itself is killed (-9), its worker notices and drains instead of living on as an orphan', async () => {
    const cell = await initCell();
    const s = await supervise(cell);
    const pid = await s.ready('worker');
    strays.push(pid);
    await s.kill();
    await until(() => !alive(pid), 10_000, 'the orphaned worker to exit');
  }, 30_000);

  test('under systemd (NOTIFY_SOCKET) it sends READY when the worker serves, WATCHDOG pings, STOPPING on SIGTERM; children never see the socket', async () => {
    const socket = await startNotifySocket();
    try {
      const cell = await initCell();
      const s = await supervise(cell, [], { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '600000' });
      const pid = await s.ready('worker');
      strays.push(pid);
      const messages = () => socket.messages.filter((m) => m !== 'BARRIER=1');
      await until(() => messages().some((m) => m.startsWith('READY=1')), 5000, 'READY=1');
      expect(messages().find((m) => m.startsWith('READY=1'))).toBe(`READY=1|STATUS=running: worker pid ${pid}`);
      await until(() => messages().filter((m) => m === 'WATCHDOG=1').length >= 3, 5000, 'three watchdog pings');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ.some((v) => v.startsWith('NOTIFY_SOCKET='))).toBe(false);
      expect(environ.some((v) => v.startsWith('WATCHDOG_USEC='))).toBe(false);
      expect(await s.stop()).toBe(0);
      expect(messages()).toContain('STOPPING=1|STATUS=draining (SIGTERM)');
    } finally {
      await socket.close();
    }
  }, 30_000);
});
