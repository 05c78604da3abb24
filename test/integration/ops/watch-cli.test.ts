import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';
import { botctl } from '../../helpers/cli.js';
import { PipelineCell } from '../../helpers/pipeline-cell.js';
import { addDeadJob, ensureTelegramStatusColumns, markTokenBroken, openForWrite, tenantId } from './ops-fixtures.js';

interface Report {
  firing: number;
  target: string;
  rules: { rule: string; status: string; findings: { subject: string | null; summary: string; fix: string }[] }[];
}

const rule = (report: Report, id: string) => report.rules.find((r) => r.rule === id)!;

describe('botctl watch --once --json against a real cell', () => {
  let cell: PipelineCell;
  let env: Record<string, string>;

  beforeAll(async () => {
    cell = await PipelineCell.start({ tenants: [
      { slug: 'dental', name: 'Smile Dental', phoneNumberId: '106540352240001', token: 'EAAdentalTokenForWatchTests0123456789' },
      { slug: 'acme', name: 'Acme', phoneNumberId: '106540352240002', token: 'EAAacmeTokenForWatchTests01234567890' },
    ] });
    env = { ...cell.env(), BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: String(cell.worker.port) };
  }, 60_000);
  afterAll(async () => cell?.close());

  test('a healthy cell: exit 0, every local rule evaluated and clear', async () => {
    const result = await botctl(['watch', '--once', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.firing).toBe(0);
    expect(report.target).toBe(`local ${cell.cell.dataDir}`);
    for (const id of ['worker_unreachable', 'worker_not_ready', 'job_backlog', 'dead_jobs', 'whatsapp_token_broken', 'telegram_chat_unreachable', 'handover_overdue', 'disk_full']) {
      expect(rule(report, id).status, id).toBe('ok');
    }
    // No LITESTREAM_REPLICA_URL: replication cannot be judged, which is not "all clear".
    expect(rule(report, 'replication_stale').status).toBe('unknown');
  }, 30_000);

  test('a dead job, a broken token and a removed bot: exit 1 with each finding and its fix', async () => {
    const db = openForWrite(cell.cell.dataDir);
    try {
      ensureTelegramStatusColumns(db);
      addDeadJob(db, 'dental', 'deliver_message', 'WhatsApp 131026: message undeliverable');
      markTokenBroken(db, 'acme', '(#190) Error validating access token');
      db.prepare("UPDATE tenants SET telegram_status = 'removed', telegram_status_detail = 'bot was kicked from the supergroup chat' WHERE id = ?").run(tenantId(db, 'dental'));
    } finally {
      db.close();
    }
    const result = await botctl(['watch', '--once', '--json'], env);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.firing).toBe(3);
    expect(rule(report, 'dead_jobs').findings[0]!.summary).toContain('1 jobs gave up in the last 1d (1 deliver_message); newest');
    expect(rule(report, 'dead_jobs').findings[0]!.summary).toContain('(dental): WhatsApp 131026');
    expect(rule(report, 'whatsapp_token_broken').findings).toEqual([expect.objectContaining({ subject: 'acme', fix: expect.stringContaining('botctl tenant update acme --whatsapp-token') })]);
    expect(rule(report, 'telegram_chat_unreachable').findings[0]!.summary).toContain('dental: the bot was removed from the managers chat');

    const text = await botctl(['watch', '--once'], env);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('✗ Dead jobs: 1 jobs gave up');
    expect(text.stdout).toContain('fix: botctl jobs list --state dead');
    // Tokens never reach the output.
    expect(text.stdout + result.stdout).not.toContain('TokenForWatchTests');
  }, 30_000);

  test('watching the cell by URL: the worker and its /metrics are judged, per-tenant rules are unknown', async () => {
    const result = await botctl(['watch', '--once', '--json', '--url', cell.worker.url, '--state-file', `${cell.cell.dir}/remote.json`], env);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.target).toBe(cell.worker.url);
    expect(rule(report, 'worker_unreachable').status).toBe('ok');
    expect(rule(report, 'worker_not_ready').status).toBe('ok');
    expect(rule(report, 'job_backlog').status).toBe('ok'); // from botctl_jobs_oldest_due_age_seconds
    expect(rule(report, 'dead_jobs').status).toBe('unknown'); // growth needs a second scrape
    expect(rule(report, 'whatsapp_token_broken').status).toBe('unknown');
    expect(report.firing).toBe(0);
    expect(result.exitCode).toBe(0);
  }, 30_000);

  test('mistakes are one sentence with the fix: no alert destination, a bad duration, an unwritable state file', async () => {
    const noChat = await botctl(['watch'], env);
    expect(noChat.exitCode).toBe(1);
    expect(noChat.stderr).toBe('Error: alerts cannot be sent: TELEGRAM_BOT_TOKEN is not set: set it in the env file to the token @BotFather gave the cell\'s bot.');
    const badDuration = await botctl(['watch', '--once', '--interval', '5x'], env);
    expect(badDuration.exitCode).toBe(1);
    expect(badDuration.stderr).toBe('Error: --interval "5x" is not a duration: write it like 30s, 5m, 2h or 1d.');
    const tg = { TELEGRAM_BOT_TOKEN: '7000000001:AAEsimulatedTokenForBotctlTestsXXXX', BOTCTL_ONCALL_CHAT_ID: '-1001' };
    const underAFile = `${cell.cell.envFile}/watch-state.json`;
    const unwritable = await botctl(['watch', '--state-file', underAFile], { ...env, ...tg });
    expect(unwritable.exitCode).toBe(1);
    expect(unwritable.stderr).toBe(`Error: the alert state file ${underAFile} cannot be written (ENOTDIR): give a writable path with --state-file, or run watch as the botctl user.`);
  }, 30_000);

  test('the worker stopped: exit 1 with "Worker not answering" and how to start it', async () => {
    await cell.worker.kill();
    const result = await botctl(['watch', '--once', '--json'], env);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(rule(report, 'worker_unreachable').findings[0]!.summary).toContain(`127.0.0.1:${cell.worker.port}/healthz: connection refused`);
    expect(rule(report, 'worker_unreachable').findings[0]!.fix).toContain('sudo systemctl restart botctl');
  }, 30_000);
});

describe('alerts reach the on-call chat (Telegram simulator)', () => {
  let telegram: TelegramSimulator;
  let cell: PipelineCell;
  let oncall: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    telegram = await startTelegramSimulator();
    oncall = telegram.createChat({ type: 'supergroup', title: 'On-call' }).id;
    cell = await PipelineCell.start({ tenants: [{ slug: 'dental', name: 'Smile Dental', phoneNumberId: '106540352240003', token: 'EAAdentalTokenForAlertTests0123456789' }], worker: false });
    env = { ...cell.env(), TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, BOTCTL_ONCALL_CHAT_ID: String(oncall), BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: '1' };
  }, 60_000);
  afterAll(async () => {
    await cell?.close();
    await telegram?.close();
  });

  test('watch test-alert posts a message the on-call chat sees', async () => {
    const result = await botctl(['watch', 'test-alert'], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Sent a test alert to the on-call chat ${oncall}`);
    const messages = telegram.messagesIn(oncall);
    expect(messages.at(-1)!.text).toMatch(/test alert\. Alerts from botctl watch reach this chat/);
  }, 30_000);

  test('test-alert to a chat without the bot fails with what to do', async () => {
    const result = await botctl(['watch', 'test-alert'], { ...env, BOTCTL_ONCALL_CHAT_ID: '-100999999' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*-100999999.*: add the bot to the on-call chat/);
    expect(result.stderr).not.toContain(telegram.token);
  }, 30_000);

  test('watch --once --notify: one firing message, then after the fix one resolved message, state kept between runs', async () => {
    const flags = ['watch', '--once', '--notify', '--min-gap', '0s', '--clear-for', '0s'];
    const before = telegram.messagesIn(oncall).length;
    const db = openForWrite(cell.cell.dataDir);
    const jobId = addDeadJob(db, 'dental', 'post_handover_card', 'Telegram 403: bot was kicked');
    db.close();

    expect((await botctl(flags, env)).exitCode).toBe(1);
    expect((await botctl(flags, env)).exitCode).toBe(1); // still firing: not announced twice
    const fired = telegram.messagesIn(oncall).slice(before);
    // No worker runs in this cell, but "Worker not answering" must hold for a minute first: only the dead job fires.
    expect(fired.map((m) => m.text!.split('\n')[0])).toEqual([expect.stringMatching(/^🔴 botctl .*: 1 firing$/)]);
    expect(fired[0]!.text).toContain('🔴 Dead jobs\n• 1 jobs gave up in the last 1d (1 post_handover_card)');
    expect(fired[0]!.text).toContain('What to do: botctl jobs list --state dead');

    const retried = await botctl(['jobs', 'retry', String(jobId)], env);
    expect(retried.exitCode).toBe(0);
    await botctl(flags, env);
    const after = telegram.messagesIn(oncall).slice(before);
    expect(after).toHaveLength(2);
    expect(after[1]!.text).toMatch(/^✅ botctl .*: 1 resolved\n\n✅ Dead jobs: resolved\n• cleared \d+s after the first alert$/);
  }, 30_000);

  test('botctl watch (the service) alerts within its interval and stops cleanly on SIGTERM', async () => {
    const { execa } = await import('execa');
    const { RUN_JS } = await import('../../helpers/cli.js');
    const { until } = await import('../../helpers/until.js');
    const before = telegram.messagesIn(oncall).length;
    const db = openForWrite(cell.cell.dataDir);
    addDeadJob(db, 'dental', 'deliver_message', 'WhatsApp 131047: outside the 24-hour window');
    db.close();
    const child = execa(process.execPath, ['--', RUN_JS, 'watch', '--interval', '1s', '--min-gap', '0s', '--state-file', `${cell.cell.dir}/service-state.json`], {
      env: { PATH: process.env.PATH ?? '', ...env, BOTCTL_LOG_LEVEL: 'info' }, extendEnv: false, reject: false, all: true,
    });
    try {
      await until(() => telegram.messagesIn(oncall).length > before, 15_000, 'an alert from the watch service');
      expect(telegram.messagesIn(oncall).at(-1)!.text).toContain('(1 deliver_message); newest');
    } finally {
      child.kill('SIGTERM');
    }
    const exited = await child;
    expect(exited.exitCode).toBe(0);
    expect(String(exited.all)).toContain('watch stopped');
    expect(String(exited.all)).not.toContain(telegram.token);
  }, 30_000);
  test('an alert Telegram refuses: exit 1 with the reason, and the next run delivers it', async () => {
    const db = openForWrite(cell.cell.dataDir);
    addDeadJob(db, 'dental', 'deliver_message', 'WhatsApp 100: invalid parameter');
    db.close();
    const flags = ['watch', '--once', '--notify', '--state-file', `${cell.cell.dir}/refused-state.json`];
    const refused = await botctl(flags, { ...env, BOTCTL_ONCALL_CHAT_ID: '-100999999' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^Error: the alert was not delivered: the on-call chat -100999999 refused the alert .*: add the bot to the on-call chat.*; the next run tries again\.$/);
    const before = telegram.messagesIn(oncall).length;
    expect((await botctl(flags, env)).exitCode).toBe(1);
    expect(telegram.messagesIn(oncall)).toHaveLength(before + 1);
    expect(telegram.messagesIn(oncall).at(-1)!.text).toContain('🔴 Dead jobs');
  }, 30_000);
});
