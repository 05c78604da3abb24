import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAmoCrmSimulator, type AmoCrmSimulator } from '../../../src/simulators/amocrm/index.js';
import { startBitrix24Simulator, type Bitrix24Simulator } from '../../../src/simulators/bitrix24/index.js';
import { botctl } from '../../helpers/cli.js';
import { PipelineCell } from '../../helpers/pipeline-cell.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';

let h: PipelineCell;
let amo: AmoCrmSimulator;
let b24: Bitrix24Simulator;
let receiver: WebhookReceiver;
const run = (...args: string[]) => botctl(args, h.cell.env);

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [{ slug: 'acme', name: 'Acme', phoneNumberId: '6300001', token: 'EAAGclitoken0123456789abcdefghijklmn' }], llm: false, worker: false });
  [amo, b24, receiver] = await Promise.all([startAmoCrmSimulator(), startBitrix24Simulator(), new WebhookReceiver([]).start()]);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await Promise.all([amo?.close(), b24?.close(), receiver?.close()]);
});

describe('botctl integrations: every mistake says what and how to fix it; secrets are shown once and never again', { timeout: 60_000 }, () => {
  test('webhook add refuses a bad URL or event, prints the secret once; list, rotate, deliveries, redeliver, remove', async () => {
    expect((await run('integrations', 'webhook', 'add', 'acme', '--url', 'ftp://x', '--events', 'all')).stderr).toBe("Error: the webhook URL must use https (got ftp): give an https:// address; payloads carry customers' messages.");
    expect((await run('integrations', 'webhook', 'add', 'acme', '--url', 'not a url', '--events', 'all')).stderr).toBe('Error: "not a url" is not a URL: give the receiver\'s full address, e.g. --url https://crm.example.com/hooks/botctl.');
    const badEvent = await run('integrations', 'webhook', 'add', 'acme', '--url', 'https://example.com/h', '--events', 'handover.opened,handover.closed');
    expect(badEvent.exitCode).toBe(1);
    expect(badEvent.stderr).toContain('unknown event handover.closed: give --events as a comma-separated list of conversation.started, message.created');
    expect((await run('integrations', 'webhook', 'add', 'nope', '--url', 'https://example.com/h', '--events', 'all')).stderr).toContain('there is no tenant "nope"');

    const added = await run('integrations', 'webhook', 'add', 'acme', '--url', receiver.url, '--events', 'all', '--json');
    expect(added.exitCode).toBe(0);
    const endpoint = JSON.parse(added.stdout) as { id: number; secret: string; events: string[] };
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.events).toContain('booking.requested');
    const listed = await run('integrations', 'webhook', 'list', 'acme');
    expect(listed.stdout).toContain(receiver.url);
    const rotated = JSON.parse((await run('integrations', 'webhook', 'rotate-secret', 'acme', String(endpoint.id), '--overlap', '1h', '--json')).stdout) as { secret: string; previousSecretUntil: string };
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretUntil).toMatch(/^20/);
    expect((await run('integrations', 'webhook', 'rotate-secret', 'acme', String(endpoint.id), '--overlap', 'soon')).stderr).toBe('Error: --overlap "soon" is not a duration: write it like 30m, 24h or 0s.');
    expect((await run('integrations', 'deliveries', 'acme')).stdout).toBe('no webhook deliveries for acme');
    expect((await run('integrations', 'deliveries', 'acme', '--state', 'lost')).stderr).toBe('Error: unknown delivery state "lost": give --state pending, delivered or failed.');
    expect((await run('integrations', 'redeliver', '999')).stderr).toBe('Error: there is no webhook delivery 999: botctl integrations deliveries <slug> lists them with their ids.');

    // integrations test: the receiver (knowing only the new secret) verifies the sample event.
    receiver.secrets = [rotated.secret];
    const tested = await run('integrations', 'test', 'acme');
    expect(tested.exitCode).toBe(0);
    expect(tested.stdout).toContain(`✓ acme webhook ${endpoint.id}: ${receiver.url} answered HTTP 204`);
    expect(receiver.accepted.map((r) => r.type)).toEqual(['integration.test']);

    for (const out of [listed.stdout, (await run('integrations', 'list', 'acme', '--json')).stdout, (await run('tenant', 'show', 'acme', '--json')).stdout, tested.stdout]) {
      expect(out).not.toContain(endpoint.secret);
      expect(out).not.toContain(rotated.secret);
    }
    expect((await run('integrations', 'webhook', 'remove', 'acme', String(endpoint.id))).exitCode).toBe(0);
    expect((await run('integrations', 'webhook', 'remove', 'acme', String(endpoint.id))).stderr).toBe(`Error: tenant acme has no webhook endpoint ${endpoint.id}: botctl integrations webhook list acme shows its endpoints and their ids.`);
  });

  test('CRM connections: clear errors, credentials never printed; test and doctor prove them by reading only', async () => {
    expect((await run('integrations', 'amocrm', 'acme', '--subdomain', 'acme')).stderr).toContain('the amoCRM token is missing: make a long-lived token in amoCRM');
    expect((await run('integrations', 'amocrm', 'acme', '--subdomain', 'Acme Corp', '--token', amo.token)).stderr).toContain('"Acme Corp" is not an amoCRM subdomain');
    expect((await run('integrations', 'bitrix24', 'acme', '--webhook-url', 'https://acme.bitrix24.kz/crm/')).stderr).toBe('Error: --webhook-url is not a Bitrix24 inbound webhook address: copy it whole from Bitrix24; it looks like https://<portal>.bitrix24.ru/rest/<user>/<secret>/.');
    expect((await run('integrations', 'bitrix24', 'acme', '--remove')).stderr).toContain('tenant acme has no bitrix24 connection');

    expect((await run('integrations', 'amocrm', 'acme', '--subdomain', 'acme', '--token', amo.token, '--api-url', amo.url)).exitCode).toBe(0);
    const wrongSecret = b24.webhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/wrongsecret123/');
    expect((await run('integrations', 'bitrix24', 'acme', '--webhook-url', wrongSecret)).exitCode).toBe(0);
    const list = await run('integrations', 'list', 'acme', '--json');
    expect(JSON.parse(list.stdout).crm.map((c: { provider: string; credential: string }) => [c.provider, c.credential])).toEqual([['amocrm', 'set'], ['bitrix24', 'set']]);

    const tested = await run('integrations', 'test', 'acme', '--json');
    expect(tested.exitCode).toBe(1);
    const results = JSON.parse(tested.stdout) as { subject: string; ok: boolean; detail: string; fix: string | null }[];
    expect(results[0]).toMatchObject({ subject: 'acme amocrm', ok: true, detail: 'account Simulated account (31000001)' });
    expect(results[1]).toMatchObject({ subject: 'acme bitrix24', ok: false, fix: expect.stringContaining('botctl integrations bitrix24 <slug> --webhook-url <url>') });
    expect(results[1]!.detail).toContain('NO_AUTH_FOUND');
    expect(amo.leads).toEqual([]); // checks create nothing

    const env = { ...h.cell.env, BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: '9' };
    const doctor = JSON.parse((await botctl(['doctor', '--json'], env)).stdout) as { checks: { group: string; name: string; status: string; items?: { subject: string; status: string }[] }[] };
    const crm = doctor.checks.find((c) => c.group === 'integrations' && c.name === 'CRM credentials')!;
    expect(crm.status).toBe('fail');
    expect(crm.items!.map((i) => [i.subject, i.status])).toEqual([['acme bitrix24', 'fail']]);

    for (const out of [list.stdout, tested.stdout, JSON.stringify(doctor), (await run('tenant', 'show', 'acme')).stdout]) {
      expect(out).not.toContain(amo.token);
      expect(out).not.toContain('wrongsecret123');
    }
    expect((await run('integrations', 'bitrix24', 'acme', '--remove')).stdout).toBe('Bitrix24 disconnected from acme.');
  });
});
