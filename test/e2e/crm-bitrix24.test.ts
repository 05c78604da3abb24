import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startBitrix24Simulator, type Bitrix24Simulator } from '../../src/simulators/bitrix24/index.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const TENANT = { slug: 'bright', name: 'Bright Clinic', phoneNumberId: '6200001', token: 'EAAGbitrixtoken0123456789abcdefghijk', locale: 'en', knowledge: [join(KB, 'smile-services.md')] };
let h: PipelineCell;
let b24: Bitrix24Simulator;

const say = (from: string, name: string, body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name }] }));
const handOver = (reason: string, summary: string) => h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason, summary } } });
const cli = async (...args: string[]) => {
  const r = await botctl(args, h.cell.env);
  if (r.exitCode !== 0) throw new Error(`botctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const leadsWith = (phone: string) => b24.leads.filter((l) => l.PHONE.includes(`+${phone}`));
const commentsOn = (type: string, id: string) => b24.comments.filter((c) => c.ENTITY_TYPE === type && String(c.ENTITY_ID) === id);
const syncJobsOpen = () => h.query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE kind = 'integrations.crm_sync' AND state <> 'done'")[0]!.n;

beforeAll(async () => {
  b24 = await startBitrix24Simulator();
  h = await PipelineCell.start({ tenants: [TENANT] });
  await cli('integrations', 'bitrix24', TENANT.slug, '--webhook-url', b24.webhookUrl, '--source-id', 'WEB');
}, 60_000);
afterAll(async () => {
  await h?.close();
  await b24?.close();
});

describe('Bitrix24: a contact found by phone, else one lead; timeline comments for later events', { timeout: 90_000 }, () => {
  test('an unknown customer gets one lead; QUERY_LIMIT_EXCEEDED is retried; a second request comments on the same lead', async () => {
    const phone = '77071230001';
    b24.fail({ error: 'QUERY_LIMIT_EXCEEDED' }, { method: 'crm.lead.add' });
    handOver('booking', 'Cleaning on Saturday');
    await say(phone, 'Aigerim', 'Запишите на профессиональную чистку зубов в субботу');
    await until(() => leadsWith(phone).length === 1 && commentsOn('lead', leadsWith(phone)[0]!.ID).length === 1, 30_000, 'the lead and its comment');
    expect(leadsWith(phone)[0]).toMatchObject({ TITLE: 'WhatsApp: Aigerim', NAME: 'Aigerim', SOURCE_ID: 'WEB' });
    expect(commentsOn('lead', leadsWith(phone)[0]!.ID)[0]!.COMMENT).toContain('Cleaning on Saturday');
    expect(b24.requests.some((r) => r.error === 'QUERY_LIMIT_EXCEEDED')).toBe(true);

    await cli('handover', 'resolve', TENANT.slug, '1');
    handOver('price', 'Whitening price');
    await say(phone, 'Aigerim', 'Сколько стоит отбеливание зубов?');
    await until(() => commentsOn('lead', leadsWith(phone)[0]!.ID).length === 3, 20_000, 'the resolved comment and the second request');
    expect(commentsOn('lead', leadsWith(phone)[0]!.ID).map((c) => c.COMMENT.split('\n')[0])).toEqual(['Request #1 from WhatsApp (+77071230001)', expect.stringMatching(/^Request #1 resolved by operator/), 'Request #2 from WhatsApp (+77071230001)']);
    expect(b24.leads.filter((l) => l.PHONE.includes(`+${phone}`))).toHaveLength(1);
  });

  test('a customer who is already a Bitrix24 contact gets comments on that contact, and no lead', async () => {
    const phone = '77071230002';
    const contactId = b24.addContact('Bauyrzhan', `+${phone}`);
    handOver('complaint', 'Tooth hurts');
    await say(phone, 'Bauyrzhan', 'Болит зуб после чистки зубов');
    await until(() => commentsOn('contact', contactId).length === 1, 20_000, 'the comment on the contact');
    expect(leadsWith(phone)).toEqual([]);
  });

  test('a kill -9 between crm.lead.add and our commit: the lead is found by phone after the restart', async () => {
    const phone = '77071230003';
    b24.fail({ hangAfterWrite: true }, { method: 'crm.lead.add' });
    handOver('question', 'Installments');
    await say(phone, 'Dana', 'Консультация стоматолога в рассрочку?');
    await until(() => leadsWith(phone).length === 1, 20_000, 'Bitrix24 to add the lead (its answer never arrives)');
    await h.worker.kill();
    await h.restartWorker();
    await until(() => commentsOn('lead', leadsWith(phone)[0]!.ID).length === 1, 30_000, 'the comment after the restart');
    expect(leadsWith(phone)).toHaveLength(1);
  });

  test('the 2 requests per second limit is never exceeded, even with many handovers at once', async () => {
    const phones = Array.from({ length: 4 }, (_, i) => `7707444000${i}`);
    for (const _ of phones) handOver('booking', 'A visit');
    await Promise.all(phones.map((p, i) => say(p, `Client ${i}`, 'Хочу на консультацию стоматолога')));
    await until(() => phones.every((p) => leadsWith(p).length === 1 && commentsOn('lead', leadsWith(p)[0]!.ID).length === 1), 60_000, 'a lead and a comment for each');
    const over = b24.requests.filter((r) => r.error === 'QUERY_LIMIT_EXCEEDED');
    expect(over).toHaveLength(1); // only the one the first test forced
    expect(b24.rate.breaches).toBe(0);
    const times = b24.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 2]!).toBeGreaterThan(1000);
  });

  test('expired_token marks the connection broken, nothing is retried, and the webhook URL appears nowhere', async () => {
    b24.fail({ error: 'expired_token' });
    const before = b24.requests.length;
    handOver('question', 'Parking');
    await say('77071230005', 'Erlan', 'Отбеливание зубов Zoom есть?');
    await until(async () => JSON.parse(await cli('integrations', 'list', TENANT.slug, '--json')).crm[0].status === 'broken', 20_000, 'the broken mark');
    await until(() => syncJobsOpen() === 0, 20_000, 'sync jobs to end');
    expect(b24.requests.length - before).toBe(1);
    const secret = b24.webhookUrl.split('/').at(-2)!;
    for (const out of [await cli('integrations', 'list', TENANT.slug, '--json'), await cli('integrations', 'list', TENANT.slug), await cli('tenant', 'show', TENANT.slug, '--json'), h.worker.lines.join('\n')]) {
      expect(out).not.toContain(secret);
    }
  });
});
