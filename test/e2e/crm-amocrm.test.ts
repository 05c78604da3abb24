import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startAmoCrmSimulator, type AmoCrmSimulator } from '../../src/simulators/amocrm/index.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6100001', token: 'EAAGamocrmtoken0123456789abcdefghijk', knowledge: [join(KB, 'smile-services.md')] };
let h: PipelineCell;
let amo: AmoCrmSimulator;

const say = (from: string, name: string, body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name }] }));
const handOver = (reason: string, summary: string) => h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason, summary } } });
const cli = async (...args: string[]) => {
  const r = await botctl(args, h.cell.env);
  if (r.exitCode !== 0) throw new Error(`botctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const contactsWith = (phone: string) => amo.contacts.filter((c) => c.phones.includes(`+${phone}`));
const leadsOf = (phone: string) => amo.leads.filter((l) => contactsWith(phone).some((c) => l.contactIds.includes(c.id)));
const notesOf = (leadId: number) => amo.notes.filter((n) => n.entity_id === leadId);

beforeAll(async () => {
  amo = await startAmoCrmSimulator();
  h = await PipelineCell.start({ tenants: [TENANT] });
  await cli('integrations', 'amocrm', TENANT.slug, '--subdomain', 'smiledental', '--token', amo.token, '--api-url', amo.url, '--pipeline-id', '555', '--status-id', '777');
}, 60_000);
afterAll(async () => {
  await h?.close();
  await amo?.close();
});

describe('amoCRM: a handover becomes one lead with its contact, later requests add notes', { timeout: 90_000 }, () => {
  test('first request creates contact and lead in the configured pipeline; a second request adds a note to the same lead', async () => {
    const phone = '77051110001';
    handOver('хочет записаться', 'Чистка зубов в субботу');
    await say(phone, 'Айгерим', 'Запишите меня на чистку в субботу');
    await until(() => amo.notes.length === 1, 20_000, 'the lead and its first note');
    expect(contactsWith(phone)).toHaveLength(1);
    expect(contactsWith(phone)[0]!.first_name).toBe('Айгерим');
    const [lead] = leadsOf(phone);
    expect(lead).toMatchObject({ name: 'WhatsApp: Айгерим', pipeline_id: 555, status_id: 777 });
    expect(notesOf(lead!.id)[0]!.text).toContain('Чистка зубов в субботу');
    expect(notesOf(lead!.id)[0]!.text).toContain('Запрос №1');
    expect(amo.requests.every((r) => r.status !== 0)).toBe(true);

    await cli('handover', 'resolve', TENANT.slug, '1');
    await until(() => notesOf(lead!.id).length === 2, 20_000, 'the resolved note');
    handOver('вопрос о цене', 'Сколько стоит отбеливание');
    await say(phone, 'Айгерим', 'А сколько стоит отбеливание?');
    await until(() => notesOf(lead!.id).length === 3, 20_000, 'the note of the second request');
    expect(notesOf(lead!.id).map((n) => n.text.split('\n')[0])).toEqual(['Запрос №1 из WhatsApp (+77051110001)', expect.stringMatching(/^Запрос №1 решён/), 'Запрос №2 из WhatsApp (+77051110001)']);
    expect(contactsWith(phone)).toHaveLength(1);
    expect(leadsOf(phone)).toHaveLength(1);
    expect(amo.requests.filter((r) => r.method === 'GET' && r.path === '/api/v4/contacts')).toHaveLength(1); // the stored link: no second search
  });

  test('a kill -9 between amoCRM creating the lead and our commit: after the restart the lead is found, not created twice', async () => {
    const phone = '77051110002';
    amo.fail({ hangAfterWrite: true }, { pathPrefix: '/api/v4/leads/complex' });
    handOver('жалоба', 'Болит зуб после пломбы');
    await say(phone, 'Бауыржан', 'У меня болит зуб после пломбы');
    await until(() => leadsOf(phone).length === 1, 20_000, 'amoCRM to create the lead (its answer never arrives)');
    await h.worker.kill();
    await h.restartWorker();
    await until(() => notesOf(leadsOf(phone)[0]!.id).length === 1, 30_000, 'the note after the restart');
    expect(contactsWith(phone)).toHaveLength(1);
    expect(leadsOf(phone)).toHaveLength(1);
    expect(amo.requests.filter((r) => r.path === '/api/v4/contacts' && r.query.query === phone)).toHaveLength(2); // searched again before creating
    expect(h.query<{ n: number }>("SELECT count(*) AS n FROM crm_links WHERE provider = 'amocrm' AND entity_id = ?", String(leadsOf(phone)[0]!.id))[0]!.n).toBe(1);
  });

  test('many handovers at once never exceed 7 requests per second', async () => {
    const phones = Array.from({ length: 8 }, (_, i) => `7705222000${i}`);
    for (const _ of phones) handOver('запись', 'Запись на приём');
    await Promise.all(phones.map((p, i) => say(p, `Клиент ${i}`, 'Хочу записаться на приём')));
    await until(() => phones.every((p) => leadsOf(p).length === 1 && notesOf(leadsOf(p)[0]!.id).length === 1), 40_000, 'a lead and a note for each');
    expect(amo.rate.breaches).toBe(0);
    expect(amo.requests.filter((r) => r.status === 429)).toEqual([]);
    const times = amo.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 7; i < times.length; i++) expect(times[i]! - times[i - 7]!).toBeGreaterThan(1000);
  });

  test('401: the connection is marked broken once, nothing is retried; events wait and are sent once the token is set again', async () => {
    amo.fail({ status: 401 }, { times: 1 });
    const before = amo.requests.length;
    handOver('вопрос', 'Есть ли рассрочка');
    await say('77051110003', 'Дана', 'Есть ли у вас рассрочка?');
    await until(async () => JSON.parse(await cli('integrations', 'list', TENANT.slug, '--json')).crm[0].status === 'broken', 20_000, 'the broken mark');
    handOver('вопрос', 'Ещё вопрос');
    await say('77051110004', 'Ерлан', 'Вопрос по ценам');
    await until(() => h.query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE kind = 'integrations.crm_sync' AND state <> 'done'")[0]!.n === 0, 20_000, 'the sync jobs to end');
    expect(amo.requests.length - before).toBe(1); // the refused call only
    expect(h.query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE state = 'dead'")[0]!.n).toBe(0);
    const listed = JSON.parse(await cli('integrations', 'list', TENANT.slug, '--json'));
    expect(listed.crm[0]).toMatchObject({ provider: 'amocrm', status: 'broken', credential: 'set' });
    expect(JSON.stringify(listed)).not.toContain(amo.token);
    const show = await cli('tenant', 'show', TENANT.slug, '--json');
    expect(show).not.toContain(amo.token);
    expect(h.worker.lines.join('\n')).not.toContain(amo.token);

    // botctl watch sees one finding for the connection (the engine alerts once per finding, then on resolve).
    const watchEnv = { ...h.env(), BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: String(h.worker.port) };
    const integrationRule = async () => (JSON.parse((await botctl(['watch', '--once', '--json'], watchEnv)).stdout) as { rules: { rule: string; status: string; findings: { subject: string; summary: string; fix: string }[] }[] }).rules.find((r) => r.rule === 'integration_broken')!;
    const watched = await integrationRule();
    expect(watched.findings).toEqual([expect.objectContaining({ subject: 'smile', fix: expect.stringContaining('botctl integrations amocrm smile --token <token>') })]);
    expect(watched.findings[0]!.summary).toContain('smile: amocrm refused its credential');
    expect(JSON.stringify(watched)).not.toContain(amo.token);

    // Setting a working token again sends what was held meanwhile: nothing the managers did is lost to the CRM.
    expect(await cli('integrations', 'amocrm', TENANT.slug, '--token', amo.token)).toContain('2 events held while the connection was broken queued again.');
    expect(JSON.parse(await cli('integrations', 'list', TENANT.slug, '--json')).crm[0].status).toBe('ok');
    expect((await integrationRule()).status).toBe('ok');
    await until(() => ['77051110003', '77051110004'].every((p) => leadsOf(p).length === 1 && notesOf(leadsOf(p)[0]!.id).length === 1), 20_000, 'the held requests in amoCRM');
  });
});
