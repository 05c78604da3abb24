import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '6400001', token: 'EAAGwebhooktoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md')] };
const CUSTOMER = '77059990001';
let h: PipelineCell;
let receiver: WebhookReceiver;

const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from: CUSTOMER, body })], contacts: [{ waId: CUSTOMER, name: 'Айгерим' }] }));
const cli = async (...args: string[]) => {
  const r = await botctl(args, h.cell.env);
  if (r.exitCode !== 0) throw new Error(`botctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const types = () => receiver.accepted.map((r) => r.type);

beforeAll(async () => {
  receiver = await new WebhookReceiver([]).start();
  h = await PipelineCell.start({ tenants: [TENANT] });
  receiver.secrets = [JSON.parse(await cli('integrations', 'webhook', 'add', TENANT.slug, '--url', receiver.url, '--events', 'all', '--json')).secret];
}, 60_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('webhooks on the real worker: what a receiver sees of a whole conversation', { timeout: 90_000 }, () => {
  test('an answered question, a handover, a resolve — each event signed and in order, across a worker restart; redelivery from the CLI', async () => {
    await say('Сколько стоит профессиональная чистка зубов?');
    await until(() => types().length === 4, 20_000, 'started, the question, the language learned and the answer');
    expect(types()).toEqual(['conversation.started', 'message.created', 'contact.updated', 'message.created']);
    expect(receiver.accepted[2]!.body.data).toMatchObject({ contact: { locale: 'ru' } });
    const answer = receiver.accepted[3]!.body.data as { message: { author: string; direction: string; text: string } };
    expect(answer.message).toMatchObject({ author: 'bot', direction: 'outbound' });
    expect(answer.message.text).toContain('15 000');

    h.llm!.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'запись', summary: 'Чистка в субботу' } } });
    await say('Запишите меня на профессиональную чистку зубов в субботу');
    await until(() => types().length === 7, 20_000, 'the question, the handover and the holding reply');
    expect(types().slice(4)).toEqual(['message.created', 'handover.opened', 'message.created']);
    expect(receiver.accepted[5]!.body.data).toMatchObject({ contact: { phone: CUSTOMER, name: 'Айгерим' }, handover: { number: 1, status: 'waiting', summary: 'Чистка в субботу' } });

    // Killed once the deliveries so far are recorded: a kill while one's answer is on the wire delivers it again after
    // the restart (the receiver would reject that as a replay, as it should); that window is not what this test is about.
    await until(() => h.query("SELECT 1 FROM jobs WHERE kind = 'integrations.webhook_deliver' AND state IN ('pending', 'running')").length === 0, 20_000, 'the deliveries recorded');
    await h.worker.kill();
    await h.restartWorker();
    await cli('handover', 'resolve', TENANT.slug, '1');
    await until(() => types().includes('handover.resolved'), 20_000, 'the resolve');
    expect(receiver.accepted.at(-1)!.body.data).toMatchObject({ handover: { status: 'resolved', resolved_by_name: expect.stringMatching(/^operator/) } });
    expect(receiver.rejected).toEqual([]);

    // Redelivery: the same event id and body, signed anew; the receiver acknowledges it as a duplicate.
    const deliveries = JSON.parse(await cli('integrations', 'deliveries', TENANT.slug, '--json')) as { id: number; eventType: string; eventKey: string; state: string; attempts: number }[];
    expect(deliveries.every((d) => d.state === 'delivered')).toBe(true);
    const opened = deliveries.find((d) => d.eventType === 'handover.opened')!;
    await cli('integrations', 'redeliver', String(opened.id));
    await until(() => receiver.rejected.length === 1, 20_000, 'the redelivery');
    expect(receiver.rejected[0]!.reason).toBe('event id already accepted (replay)');
    expect(JSON.parse(receiver.rejected[0]!.raw).id).toBe(opened.eventKey);
    const after = (JSON.parse(await cli('integrations', 'deliveries', TENANT.slug, '--json')) as typeof deliveries).find((d) => d.id === opened.id)!;
    expect(after).toMatchObject({ state: 'delivered', attempts: 2 });
    // The endpoint's secret is in no log line of the worker and no output of the CLI after `webhook add`.
    for (const out of [h.worker.lines.join('\n'), await cli('integrations', 'list', TENANT.slug, '--json'), await cli('tenant', 'show', TENANT.slug, '--json'), await cli('integrations', 'deliveries', TENANT.slug, '--json')]) {
      expect(out).not.toContain(receiver.secrets[0]!);
    }
  });
});
