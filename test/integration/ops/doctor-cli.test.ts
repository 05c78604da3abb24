import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';
import { botctl } from '../../helpers/cli.js';
import { LLM_KEY, PipelineCell } from '../../helpers/pipeline-cell.js';

const DENTAL = { slug: 'dental', name: 'Smile Dental', phoneNumberId: '106540352241001', token: 'EAAdentalTokenForDoctorTests0123456789', chatId: -1001000000001 };
const ACME = { slug: 'acme', name: 'Acme', phoneNumberId: '106540352241002', token: 'EAAacmeTokenForDoctorTests01234567890', chatId: -1001000000002 };

interface Report {
  ok: boolean;
  checks: { group: string; name: string; status: string; detail: string; fix: string | null; items?: { subject: string; status: string; detail: string; fix: string | null }[] }[];
}

/** Real binary against real simulators: WhatsApp Graph (tokens per number), Telegram (chats), OpenAI (API key). */
describe('botctl doctor', () => {
  let telegram: TelegramSimulator;
  let cell: PipelineCell;
  let env: Record<string, string>;

  beforeAll(async () => {
    telegram = await startTelegramSimulator();
    const oncall = telegram.createChat({ type: 'supergroup', title: 'On-call' }).id;
    telegram.createChat({ id: DENTAL.chatId, type: 'supergroup', title: 'Smile Dental managers', botIsAdmin: true });
    telegram.createChat({ id: ACME.chatId, type: 'supergroup', title: 'Acme managers' });
    cell = await PipelineCell.start({ tenants: [DENTAL, ACME], telegram, oncallChatId: oncall });
    env = { ...cell.env(), BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: String(cell.worker.port) };
  }, 60_000);
  afterAll(async () => {
    await cell?.close();
    await telegram?.close();
  });

  const secrets = () => [DENTAL.token, ACME.token, LLM_KEY, telegram.token, cell.cell.secretKey];
  const doctor = async (extra: Record<string, string> = {}, flags: string[] = []) => {
    const result = await botctl(['doctor', ...flags], { ...env, ...extra }, { timeoutMs: 60_000 });
    for (const secret of secrets()) expect(result.stdout + result.stderr).not.toContain(secret);
    return result;
  };
  const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!;

  test('against the simulators every check passes: exit 0, a ✓ per check', async () => {
    const result = await doctor();
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const line of [
      '✓ Node.js', '✓ configuration: valid', '✓ data folder', '✓ free disk', '✓ integrity: PRAGMA quick_check: ok', '✓ WAL mode',
      '✓ migrations: current', '✓ secret key', '✓ worker', '✓ webhook: GET /webhooks/whatsapp answers (403 for a wrong verify token',
      '✓ LLM key', '✓ LLM model: gpt-4o-mini is served', '✓ bot token: @botctl_sim_bot', '✓ on-call chat', '✓ managers chats: all 2 tenant chats OK',
      '✓ tenant tokens: all 2 tenant tokens OK', '- Litestream: LITESTREAM_REPLICA_URL is not set',
    ]) expect(result.stdout).toContain(line);
    expect(result.stdout).not.toContain('✗');
    expect(result.stdout).toMatch(/All checks passed \(\d+ ok, \d+ warnings, \d+ skipped\)\.$/m);

    const json = await doctor({}, ['--json']);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 30_000);

  test('a wrong Telegram token: ✗ with @BotFather as the fix, exit 1', async () => {
    const result = await doctor({ TELEGRAM_BOT_TOKEN: '7000000001:AAwrongTokenForDoctorTestsXXXXXXXXXXX' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ bot token: Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)');
    expect(result.stdout).toContain('fix: set TELEGRAM_BOT_TOKEN to the token @BotFather gives for your bot');
    expect(result.stdout).toMatch(/^1 check failed/m);
  }, 30_000);

  test('a tenant whose WhatsApp token Meta refuses: ✗ naming the tenant and the command that fixes it', async () => {
    cell.graph.setToken(ACME.phoneNumberId, 'EAAtheNewTokenMetaIssuedSince0123456789');
    try {
      const result = await doctor();
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain('✗ tenant tokens: 1 of 2 tenant tokens failed');
      expect(result.stdout).toContain(`✗ acme: Meta refuses the token of phone number ${ACME.phoneNumberId} (code 190) — fix: make a permanent System User token in Meta Business Settings, then botctl tenant update acme --whatsapp-token <token>`);
      expect(result.stdout).not.toContain('✗ dental');
      const report = JSON.parse((await doctor({}, ['--json'])).stdout) as Report;
      expect(check(report, 'tenant tokens').items!.map((i) => [i.subject, i.status])).toEqual([['acme', 'fail']]);
    } finally {
      cell.graph.setToken(ACME.phoneNumberId, ACME.token);
    }
  }, 30_000);

  test('a wrong LLM key: ✗ with the setting to change; a model the provider lacks: ✗ listing what it serves', async () => {
    const badKey = await doctor({ OPENAI_API_KEY: 'sk-wrongKeyForDoctorTests0123456789' });
    expect(badKey.exitCode).toBe(1);
    expect(badKey.stdout).toContain(`✗ LLM key: ${cell.llm!.url} refused OPENAI_API_KEY (HTTP 401)`);
    expect(badKey.stdout).toContain('fix: set OPENAI_API_KEY to a valid key of this provider');
    expect(badKey.stdout).not.toContain('wrongKeyForDoctorTests');

    const badModel = await doctor({ BOTCTL_LLM_MODEL: 'gpt-9-ultra' });
    expect(badModel.exitCode).toBe(1);
    expect(badModel.stdout).toContain('✗ LLM model: BOTCTL_LLM_MODEL=gpt-9-ultra is not among the');
    expect(badModel.stdout).toContain('fix: set BOTCTL_LLM_MODEL to one of them in the env file, e.g. BOTCTL_LLM_MODEL=gpt-4o-mini');
  }, 30_000);

  test('the bot removed from a tenant\'s managers chat: ✗ for that tenant with how to add it back', async () => {
    telegram.botRemovedFrom(ACME.chatId);
    const result = await doctor();
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ managers chats: 1 of 2 tenant chats failed');
    expect(result.stdout).toMatch(/✗ acme: managers chat -1001000000002: the bot was removed or blocked .* — fix: add @botctl_sim_bot back to the group/);
  }, 30_000);

  test('a data folder others can read: ✗ with chmod 700', async () => {
    chmodSync(cell.cell.dataDir, 0o755);
    try {
      const result = await doctor();
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(`✗ data folder: ${cell.cell.dataDir} has mode 0755, so other users can read customer data`);
      expect(result.stdout).toContain(`fix: chmod 700 ${cell.cell.dataDir}`);
    } finally {
      chmodSync(cell.cell.dataDir, 0o700);
    }
  }, 30_000);

  test('the worker down: ✗ worker with how to start it', async () => {
    await cell.worker.kill();
    const result = await doctor();
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`✗ worker: http://127.0.0.1:${cell.worker.port}/healthz: connection refused`);
    expect(result.stdout).toContain('fix: start the cell: sudo systemctl start botctl');
  }, 30_000);
});
