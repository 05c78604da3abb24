import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TraceReport } from '../../src/ops/trace/trace-report.js';
import { packageRoot } from '../../src/paths.js';
import { inboundNotification, newWamid, statusNotification, textMessage, usernameNotification } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md'), join(KB, 'smile-contacts.md')] };
const BOLT = { slug: 'bolt', name: 'Bolt Garage', phoneNumberId: '2000002', token: 'EAAGbolttoken0123456789abcdefghijk', knowledge: [join(KB, 'bolt-garage.md')] };

let h: PipelineCell;
beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SMILE, BOLT] });
}, 60_000);
afterAll(async () => h?.close());

function ask(from: string, body: string, phoneNumberId = SMILE.phoneNumberId, id = newWamid()) {
  return { id, body: inboundNotification({ phoneNumberId, messages: [textMessage({ from, body, id })], contacts: [{ waId: from, name: 'Айгерим' }] }) };
}
const trace = (...args: string[]) => botctl(['trace', ...args], h.cell.env);
async function traceJson(...args: string[]): Promise<TraceReport> {
  const result = await trace(...args, '--json');
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as TraceReport;
}
const stepNames = (report: TraceReport) => report.steps.map((s) => s.step);
/** The answer and send jobs of a message's trace finished: lookups from here on see the same rows. */
const settled = (wamid: string) => until(() => h.query("SELECT 1 FROM jobs WHERE state IN ('pending', 'running') AND kind IN ('handle_inbound', 'deliver_message') AND trace_id = (SELECT trace_id FROM messages WHERE provider_message_id = ?)", wamid).length === 0
  && h.query("SELECT 1 FROM trace_events WHERE step = 'reply.sent' AND trace_id = (SELECT trace_id FROM messages WHERE provider_message_id = ?)", wamid).length > 0, 5000, 'the jobs of the trace to finish');
const messageId = (wamid: string) => h.query<{ id: number }>('SELECT id FROM messages WHERE provider_message_id = ?', wamid)[0]!.id;

describe('botctl trace on the real binary', () => {
  test('a message escalated because the LLM kept failing: every step in order, with durations and hints', async () => {
    const from = '77017770001';
    const { id: wamid, body } = ask(from, 'Сколько стоит отбеливание зубов?');
    h.llm!.setResponder(() => ({ status: 500, message: 'upstream exploded' }));
    try {
      expect(await h.deliver(body)).toBe(200);
      await until(() => h.graph.messagesTo(from).length === 1, 15_000, 'the holding reply');
    } finally {
      h.llm!.reset();
    }
    await settled(wamid);

    const report = await traceJson(wamid);
    expect(report.query.kind).toBe('wamid');
    expect(report.message).toMatchObject({ tenant: 'smile', direction: 'inbound', wamid, outcome: 'escalated', body: 'Сколько стоит отбеливание зубов?' });
    expect(report.message.phone).not.toContain(from);
    const names = stepNames(report);
    const first = (name: string) => names.indexOf(name);
    const llmCalls = report.steps.filter((s) => s.step === 'llm.call');
    expect(llmCalls.length).toBeGreaterThan(0);
    for (const call of llmCalls) {
      expect(call).toMatchObject({ outcome: 'error', summary: expect.stringContaining('(500)'), hint: expect.stringContaining('provider failed (5xx)') });
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    // Each call at its own start time, so the backoff between retries shows.
    for (let i = 1; i < llmCalls.length; i++) expect(llmCalls[i]!.at).toBeGreaterThan(llmCalls[i - 1]!.at);
    const handleJob = report.steps.find((s) => s.step === 'job.created' && s.summary.includes('handle_inbound'))!;
    const sendJob = report.steps.find((s) => s.step === 'job.created' && s.summary.includes('deliver_message'))!;
    const opened = report.steps.find((s) => s.step === 'handover.opened')!;
    const sent = report.steps.find((s) => s.step === 'reply.sent')!;
    expect(first('webhook.received')).toBe(0);
    expect(report.steps.indexOf(handleJob)).toBeGreaterThan(first('webhook.received'));
    expect(first('llm.call')).toBeGreaterThan(report.steps.indexOf(handleJob));
    expect(report.steps.indexOf(opened)).toBeGreaterThan(names.lastIndexOf('llm.call'));
    expect(report.steps.indexOf(sendJob)).toBeGreaterThan(first('llm.call'));
    expect(report.steps.indexOf(sent)).toBeGreaterThan(report.steps.indexOf(opened));
    expect(opened.summary).toMatch(/^request #\d+ \(llm_unavailable\): the LLM is unavailable/);
    expect(opened.hint).toContain('the LLM kept failing');
    expect(sent.summary).toContain(h.graph.messagesTo(from)[0]!.wamid);
    expect(sent.durationMs).toBeGreaterThanOrEqual(0);
    expect(names).toContain('job.done');
    const since = report.steps.map((s) => s.sinceMs);
    expect(since).toEqual([...since].sort((a, b) => a - b));
    expect(sent.sinceMs).toBeGreaterThan(0);

    const text = await trace(wamid);
    if (process.env.SHOW_TRACE) console.log(text.stdout);
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^message #\d+ \(tenant smile\), inbound text from 770\*+01 \(Айгерим\)$/);
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const llmLine = at(/^\s+\+\d+\.\d{3}s\s+llm\.call\s+ERROR\s+\d+ ms\s+\S+ failed: the LLM failed \(500\)/);
    expect(llmLine).toBeGreaterThan(at(/^\s+\+0\.000s\s+webhook\.received\s/));
    expect(lines[llmLine + 1]).toMatch(/^\s+hint: the provider failed \(5xx\)/);
    expect(at(/\bhandover\.opened\b/)).toBeGreaterThan(llmLine);
    expect(at(/\breply\.sent\s+\d+ ms\s+#\d+ accepted as wamid\./)).toBeGreaterThan(at(/\bhandover\.opened\b/));
    expect(text.stdout).toContain(`botctl logs --trace ${report.message.traceId}`);
  }, 40_000);

  test('lookups by wamid, by our message id, by the reply\'s wamid, by trace id and by phone give the same trace', async () => {
    const from = '77017770002';
    h.llm!.enqueue({ content: 'Профессиональная чистка зубов стоит 15 000 ₸.' });
    const { id: wamid, body } = ask(from, 'Сколько стоит чистка зубов?');
    await h.deliver(body);
    await until(() => h.graph.messagesTo(from).length === 1, 10_000, 'the reply');
    const replyWamid = h.graph.messagesTo(from)[0]!.wamid;
    await settled(wamid);
    expect(await h.deliver(statusNotification({ phoneNumberId: SMILE.phoneNumberId, statuses: [{ id: replyWamid, status: 'delivered', recipientId: from }] }))).toBe(200);
    const id = messageId(wamid);

    const byWamid = await traceJson(wamid);
    expect(byWamid.message.id).toBe(id);
    expect(stepNames(byWamid)).toEqual(expect.arrayContaining(['webhook.received', 'knowledge.search', 'llm.call', 'guardrail.facts', 'reply.queued', 'reply.sent', 'delivery.delivered']));
    expect(stepNames(byWamid).indexOf('delivery.delivered')).toBeGreaterThan(stepNames(byWamid).indexOf('reply.sent'));
    const byId = await traceJson(String(id));
    expect(byId.query.kind).toBe('message');
    expect(byId.steps).toEqual(byWamid.steps);
    const byReply = await traceJson(replyWamid);
    expect(byReply.message.id).toBe(id);
    expect(byReply.asked).toMatchObject({ direction: 'outbound', wamid: replyWamid, deliveryStatus: 'delivered' });
    expect((await traceJson(byWamid.message.traceId)).message.id).toBe(id);

    // The same customer also wrote to the other tenant: a phone lists both, labelled, and traces the latest.
    h.llm!.enqueue({ content: 'Замена масла занимает около часа.' });
    const other = ask(from, 'Сколько стоит замена масла?', BOLT.phoneNumberId);
    await h.deliver(other.body);
    await until(() => h.graph.messagesTo(from).length === 2, 10_000, 'the second reply');
    for (const phone of [`+${from}`, from]) {
      const byPhone = await traceJson(phone);
      expect(byPhone.query.kind).toBe('phone');
      expect(byPhone.recent.map((m) => [m.tenant, m.wamid])).toEqual([['bolt', other.id], ['smile', wamid]]);
      expect(byPhone.message).toMatchObject({ tenant: 'bolt', wamid: other.id, phone: from });
    }
    const narrowed = await traceJson(from, '--tenant', 'smile');
    expect(narrowed.recent.map((m) => m.tenant)).toEqual(['smile']);
    expect(narrowed.message.id).toBe(id);
    const text = await trace(`+${from}`);
    expect(text.stdout).toMatch(new RegExp(`^Latest messages from ${from}, newest first:\\n  #\\d+ +\\S+  bolt +replied +"Сколько стоит замена масла\\?"\\n  #${id} +\\S+  smile `));
  }, 40_000);

  test('a customer known by a business-scoped user id is traced by it, also after their number appeared', async () => {
    const bsuid = 'KZ.7700112233445566';
    h.llm!.enqueue({ content: 'Профессиональная чистка зубов стоит 15 000 ₸.' });
    const id = newWamid();
    await h.deliver(usernameNotification({ phoneNumberId: SMILE.phoneNumberId, userId: bsuid, username: '@dana', messages: [textMessage({ from: 'x', body: 'Сколько стоит чистка?', id })] }));
    await until(() => h.graph.messagesTo(bsuid).length === 1, 10_000, 'the reply');
    const byUser = await traceJson(bsuid);
    expect(byUser.query.kind).toBe('phone');
    expect(byUser.message.wamid).toBe(id);
  }, 30_000);

  test('messages answered together: tracing the first shows the shared reply and says so', async () => {
    const from = '77017770003';
    h.llm!.enqueue({ content: 'Чистка стоит 15 000 ₸.' });
    const a = ask(from, 'Здравствуйте!');
    const b = ask(from, 'Сколько стоит чистка зубов?');
    await h.deliver(a.body);
    await h.deliver(b.body);
    await until(() => h.graph.messagesTo(from).length === 1, 10_000, 'the reply');
    await until(() => h.query("SELECT 1 FROM trace_events WHERE step = 'reply.sent' AND trace_id = (SELECT trace_id FROM messages WHERE provider_message_id = ?)", b.id).length === 1, 5000, 'reply.sent');
    const report = await traceJson(a.id);
    expect(report.answeredTogetherWith).toEqual([messageId(b.id)]);
    expect(stepNames(report)).toEqual(expect.arrayContaining(['webhook.received', 'llm.call', 'reply.queued', 'reply.sent']));
    expect(report.steps.filter((s) => s.step === 'webhook.received')).toHaveLength(1);
    expect(report.steps.find((s) => s.step === 'reply.sent')!.summary).toContain(h.graph.messagesTo(from)[0]!.wamid);
  }, 30_000);

  test('a send WhatsApp refuses shows its code and the hint that fixes it', async () => {
    const from = '77017770004';
    h.graph.closeWindow(from);
    h.llm!.enqueue({ content: 'Первичная консультация бесплатна.' });
    const { id, body } = ask(from, 'Консультация платная?');
    await h.deliver(body);
    await until(() => h.query("SELECT 1 FROM messages WHERE direction = 'outbound' AND delivery_status = 'failed' AND contact_id = (SELECT id FROM contacts WHERE provider_id = ?)", from).length === 1, 10_000, 'the failure');
    const failed = (await traceJson(id)).steps.find((s) => s.step === 'reply.failed')!;
    expect(failed).toMatchObject({ outcome: 'error', summary: expect.stringContaining('131047'), hint: expect.stringContaining('more than 24 hours since the customer last wrote') });
  }, 30_000);

  test('nothing found: says what was searched and what to try, exit 1', async () => {
    const wamid = await trace('wamid.DOESNOTEXIST');
    expect(wamid.exitCode).toBe(1);
    expect(wamid.stderr).toBe('Error: no message with WhatsApp id "wamid.DOESNOTEXIST" in any tenant (searched inbound and outbound messages): copy the wamid from Meta\'s webhook or botctl logs (it starts with "wamid."); or trace by our message id or the customer\'s phone.');
    const phone = await trace('+77019999999');
    expect(phone.exitCode).toBe(1);
    expect(phone.stderr).toMatch(/^Error: no customer with phone 77019999999 in any tenant has written \(searched contacts by WhatsApp id and phone\): write the number with its country code/);
    const id = await trace('987654');
    expect(id.stderr).toMatch(/^Error: there is no message #987654 in any tenant: /);
    const elsewhere = await trace('77017770002', '--tenant', 'bolt');
    expect(elsewhere.exitCode).toBe(0);
    const wrongTenant = await trace('+77017770001', '--tenant', 'bolt');
    expect(wrongTenant.exitCode).toBe(1);
    expect(wrongTenant.stderr).toContain('in tenant bolt');
    expect(wrongTenant.stderr).toContain('without --tenant every tenant is searched');
    const noTenant = await trace('+77017770001', '--tenant', 'nope');
    expect(noTenant.stderr).toBe('Error: there is no tenant "nope": see the tenants of this cell with: botctl tenant list.');
  }, 60_000);
});
