import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundNotification, textMessage } from '../../fakes/whatsapp.js';
import { encodeLikeMeta, signWebhook } from '../../fakes/whatsapp.js';
import { APP_SECRET, PipelineCell } from '../../helpers/pipeline-cell.js';
import { alive, startSupervisor, type SupervisorProcess } from '../../helpers/supervisor-process.js';
import { until } from '../../helpers/until.js';
import { packageRoot } from '../../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const TENANT = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md')] };
const QUESTION = 'Сколько стоит чистка зубов?';
const ANSWER = 'Профессиональная чистка зубов стоит 15 000 ₸.';
const WORKER_ARGS = ['--poll-ms', '50', '--llm-timeout-ms', '8000', '--llm-deadline-ms', '10000'];

let h: PipelineCell;
const supervisors: SupervisorProcess[] = [];
beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [TENANT], worker: false, debounceMs: 0 });
}, 60_000);
afterAll(async () => {
  for (const s of supervisors) await s.kill();
  await h?.close();
});

async function post(url: string, from: string, body: string): Promise<number> {
  const raw = encodeLikeMeta(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: 'Айгерим' }] }));
  const response = await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, APP_SECRET) }, body: raw });
  await response.arrayBuffer();
  return response.status;
}

describe('SIGTERM to botctl run', () => {
  test('stops intake, lets the job that is talking to the LLM finish, exits 0; the reply goes out after the next start', async () => {
    const s = await startSupervisor(h.env(0), ['--drain-timeout', '15s'], WORKER_ARGS);
    supervisors.push(s);
    const worker = await s.ready('worker');
    // The LLM takes 2.5 s: the drain has to wait for it.
    h.llm!.enqueue({ delayMs: 2500, then: { content: ANSWER } });
    const from = '77015550001';
    expect(await post(s.url, from, QUESTION)).toBe(200);
    await until(() => h.llm!.requests.some((r) => JSON.stringify(r.body.messages).includes(QUESTION)), 10_000, 'the LLM call');

    const started = Date.now();
    s.child.kill('SIGTERM');
    // Intake closes at once: a webhook during the drain is either taken whole (200, stored) or refused (Meta retries).
    const probes: { body: string; status: number | 'refused' }[] = [];
    await until(async () => {
      const body = `Алло? #${probes.length}`;
      probes.push({ body, status: await post(s.url, '77015550002', body).catch(() => 'refused' as const) });
      return probes.at(-1)!.status === 'refused';
    }, 2000, 'intake to close');
    expect(await s.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(1500);
    expect(alive(worker)).toBe(false);
    // The answer job (and whatever else was running) finished; nothing had to be handed back to the queue.
    expect(s.lines.find((l) => l.includes('"msg":"worker stopped"'))).toMatch(/"finished":[1-9]\d*,"released":0/);
    expect(h.query("SELECT outcome FROM messages WHERE direction = 'inbound' AND body = ?", QUESTION)).toEqual([{ outcome: 'replied' }]);
    for (const probe of probes) {
      expect(h.query('SELECT count(*) AS n FROM messages WHERE body = ?', probe.body)).toEqual([{ n: probe.status === 200 ? 1 : 0 }]);
    }
    expect(h.graph.messagesTo(from)).toHaveLength(0);

    const next = await startSupervisor(h.env(0), [], WORKER_ARGS);
    supervisors.push(next);
    await next.ready('worker');
    await until(() => h.graph.messagesTo(from).length === 1, 10_000, 'the reply after the restart');
    expect((h.graph.messagesTo(from)[0]!.body.text as { body: string }).body).toBe(ANSWER);
    expect(await next.stop()).toBe(0);
    expect(h.graph.messagesTo(from)).toHaveLength(1);
  }, 60_000);
});
