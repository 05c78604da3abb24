import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundNotification, textMessage } from '../../fakes/whatsapp.js';
import { botctl } from '../../helpers/cli.js';
import { PipelineCell } from '../../helpers/pipeline-cell.js';
import { until } from '../../helpers/until.js';
import { openForWrite, tenantId } from './ops-fixtures.js';

const DENTAL = { slug: 'dental', name: 'Smile Dental', phoneNumberId: '106540352242001', token: 'EAAdentalTokenForStatusTests0123456789' };
const ACME = { slug: 'acme', name: 'Acme', phoneNumberId: '106540352242002', token: 'EAAacmeTokenForStatusTests01234567890' };

interface Status {
  worker: { healthy: boolean; ready: boolean; url: string };
  processes: { role: string; pid: number; startedAt: number }[];
  queue: { pending: number; dead: number };
  handovers: { waiting: number; oldestWaitingAgeMs: number | null };
  tenants: { total: number; neverHeard: number; recent: { slug: string; agoMs: number }[] };
  replication: { configured: boolean };
  lanes: { lane: string; due: number; oldestDueAgeMs: number | null }[];
  destinations: { key: string; waiting: number; tenant: string | null; waitingMs: number }[];
}

describe('botctl status', () => {
  let cell: PipelineCell;
  let env: Record<string, string>;

  beforeAll(async () => {
    cell = await PipelineCell.start({ tenants: [DENTAL, ACME], llm: false });
    env = { ...cell.env(), BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: String(cell.worker.port) };
    expect(await cell.deliver(inboundNotification({ phoneNumberId: DENTAL.phoneNumberId, messages: [textMessage({ from: '77011234567', body: 'Здравствуйте, сколько стоит чистка?' })] }))).toBe(200);
    await until(() => cell.query<{ n: number }>("SELECT count(*) AS n FROM conversations")[0]!.n > 0, 10_000, 'the conversation');
  }, 60_000);
  afterAll(async () => cell?.close());

  test('--json: the worker process and its uptime, the queue, and who was heard from last', async () => {
    const result = await botctl(['status', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const status = JSON.parse(result.stdout) as Status;
    expect(status.worker).toMatchObject({ healthy: true, ready: true, url: `http://127.0.0.1:${cell.worker.port}` });
    const worker = status.processes.find((p) => p.role === 'worker')!;
    expect(worker.pid).toBe(cell.worker.child.pid);
    expect(Date.now() - worker.startedAt).toBeGreaterThanOrEqual(0);
    expect(Date.now() - worker.startedAt).toBeLessThan(120_000);
    expect(status.tenants).toMatchObject({ total: 2, neverHeard: 1 });
    expect(status.tenants.recent.map((t) => t.slug)).toEqual(['dental']);
    expect(status.replication).toEqual({ configured: false });
  }, 30_000);

  test('a request waiting past every reminder: status counts it, watch alerts on it with the tenant', async () => {
    const db = openForWrite(cell.cell.dataDir);
    try {
      const { contactId, conversationId } = db.prepare('SELECT contact_id AS contactId, id AS conversationId FROM conversations LIMIT 1').get() as { contactId: number; conversationId: number };
      const created = Date.now() - 30 * 60_000; // defaults: remind after 5m, 3 reminders → overdue after 20m
      db.prepare(`INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, created_at, updated_at)
        VALUES (?, ?, ?, 9001, 'waiting', 'customer asked for a person', ?, ?)`).run(tenantId(db, 'dental'), conversationId, contactId, created, created);
    } finally {
      db.close();
    }
    const status = JSON.parse((await botctl(['status', '--json'], env)).stdout) as Status;
    expect(status.handovers.waiting).toBeGreaterThanOrEqual(1);
    expect(status.handovers.oldestWaitingAgeMs).toBeGreaterThanOrEqual(30 * 60_000);

    const text = await botctl(['status'], env);
    expect(text.stdout).toMatch(/^✓ worker +http:\/\/127\.0\.0\.1:\d+: healthy and ready, pid \d+ up \d+s/m);
    expect(text.stdout).toMatch(/^handovers +\d+ waiting for a manager \(oldest 30m\)/m);
    expect(text.stdout).toMatch(/^tenants +2 active of 2; 1 never heard from$/m);
    expect(text.stdout).toMatch(/^ {2}dental +\d+s ago$/m);

    const watch = await botctl(['watch', '--once'], env);
    expect(watch.exitCode).toBe(1);
    expect(watch.stdout).toContain('✗ Customers waiting for a manager: dental: ');
    expect(watch.stdout).toContain('#9001 has waited 30m (every reminder went unanswered after 20m)');
    expect(watch.stdout).toContain('botctl handover list dental shows every open request');
  }, 30_000);

  test('per lane and per destination: due jobs and the oldest, and a group whose jobs wait for its rate limit, with its tenant', async () => {
    // The worker writes what waits for each budget from its own memory every second: stopped, it leaves the rows below.
    expect(await cell.worker.stop()).toBe(0);
    const db = openForWrite(cell.cell.dataDir);
    const now = Date.now();
    try {
      db.prepare("UPDATE tenants SET telegram_chat_id = -1001000000555 WHERE slug = 'acme'").run();
      // Desk jobs of a kind this worker (no Telegram bot) does not run: they stay due, as a backlog does.
      const insert = db.prepare(`INSERT INTO jobs (kind, tenant_id, payload, max_attempts, run_at, created_at, updated_at, lane, fair_at)
        VALUES ('desk.digest', ?, '{}', 5, ?, ?, ?, 'desk', ?)`);
      for (let i = 0; i < 3; i++) insert.run(tenantId(db, 'acme'), now - 90_000 + i, now, now, now - 90_000 + i);
      db.prepare(`INSERT INTO rate_budgets (key, tat, waiting, waiting_since, updated_at) VALUES ('tg:group:-1001000000555', ?, 42, ?, ?)`).run(now, now - 4 * 60_000, now);
    } finally {
      db.close();
    }
    const status = JSON.parse((await botctl(['status', '--json'], env)).stdout) as Status;
    const desk = status.lanes.find((l) => l.lane === 'desk')!;
    expect(desk.due).toBe(3);
    expect(desk.oldestDueAgeMs).toBeGreaterThanOrEqual(90_000);
    expect(status.destinations).toEqual([expect.objectContaining({ key: 'tg:group:-1001000000555', waiting: 42, tenant: 'acme' })]);
    expect(status.destinations[0]!.waitingMs).toBeGreaterThanOrEqual(4 * 60_000);

    const text = await botctl(['status'], env);
    expect(text.stdout).toMatch(/^ {2}by lane +.*desk 3 due \(oldest 1m\)/m);
    expect(text.stdout).toMatch(/^ {2}✗ Telegram group -1001000000555 \(acme\): 42 jobs waiting for its rate limit, oldest 4m$/m);

    const watch = await botctl(['watch', '--once'], env);
    expect(watch.stdout).toContain("acme: Telegram group -1001000000555 is saturated: 42 jobs waiting for its rate limit, the oldest for 4m");
  }, 30_000);
});
