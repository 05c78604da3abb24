import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../../src/paths.js';
import { inboundNotification, textMessage } from '../../fakes/whatsapp.js';
import { PipelineCell } from '../../helpers/pipeline-cell.js';
import { sample } from '../../helpers/prom-text.js';
import { until } from '../../helpers/until.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md'), join(KB, 'smile-contacts.md')] };

let h: PipelineCell;
beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SMILE] });
}, 60_000);
afterAll(async () => h?.close());

const ask = (from: string, body: string, phoneNumberId = SMILE.phoneNumberId) =>
  inboundNotification({ phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: 'Айгерим' }] });
const replies = (waId: string) => h.graph.messagesTo(waId).length;
const scrape = async () => {
  const response = await fetch(`${h.worker.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
};

describe('/metrics on a real worker', () => {
  test('after a grounded reply, an escalation and a bad signature, the counters, the LLM histogram and the queue gauges show them', async () => {
    h.llm!.enqueue({ content: 'Профессиональная чистка зубов стоит 15 000 ₸.' });
    expect(await h.deliver(ask('77015550001', 'Сколько стоит чистка зубов?'))).toBe(200);
    await until(() => replies('77015550001') === 1, 10_000, 'the grounded reply');

    h.llm!.setResponder(() => ({ status: 500, message: 'upstream exploded' }));
    try {
      expect(await h.deliver(ask('77015550002', 'Сколько стоит отбеливание зубов?'))).toBe(200);
      await until(() => replies('77015550002') === 1, 15_000, 'the holding reply');
    } finally {
      h.llm!.reset();
    }
    expect(await h.deliver(ask('77015550003', 'Здравствуйте'), { secret: 'not-the-app-secret' })).toBe(401);
    expect(await h.deliver(ask('77015550004', 'Здравствуйте', '9999999'))).toBe(200);

    const text = await until(async () => {
      const t = await scrape();
      return sample(t, 'botctl_replies_sent_total', { tenant: 'smile' }) === 2 ? t : null;
    }, 5000, 'both replies counted');
    expect(sample(text, 'botctl_inbound_messages_total', { tenant: 'smile', type: 'text' })).toBe(2);
    expect(sample(text, 'botctl_escalations_total', { tenant: 'smile', cause: 'llm_unavailable' })).toBe(1);
    expect(sample(text, 'botctl_llm_call_duration_seconds_count', { tenant: 'smile', outcome: 'ok' })).toBe(1);
    const failedCalls = h.query<{ n: number }>("SELECT count(*) AS n FROM llm_calls WHERE outcome <> 'ok'")[0]!.n;
    expect(failedCalls).toBeGreaterThan(0);
    expect(sample(text, 'botctl_llm_call_duration_seconds_count', { tenant: 'smile', outcome: 'error' })).toBe(failedCalls);
    expect(sample(text, 'botctl_llm_errors_total', { tenant: 'smile', failure: 'server' })).toBe(failedCalls);
    expect(sample(text, 'botctl_webhook_signature_failures_total')).toBe(1);
    expect(sample(text, 'botctl_webhook_unknown_phone_number_ids_total', { phone_number_id: '9999999' })).toBe(1);

    // The gauges are the database's own counts at scrape time, with 0 for a registered kind that has none.
    const queue = h.query<{ state: string; kind: string; n: number }>("SELECT state, kind, count(*) AS n FROM jobs WHERE state IN ('pending', 'running', 'dead') GROUP BY state, kind");
    for (const row of queue) expect(sample(text, 'botctl_jobs', { state: row.state, kind: row.kind })).toBe(row.n);
    if (!queue.some((r) => r.kind === 'handle_inbound' && r.state === 'pending')) expect(sample(text, 'botctl_jobs', { state: 'pending', kind: 'handle_inbound' })).toBe(0);
    expect(sample(text, 'botctl_jobs_dead')).toBe(queue.filter((r) => r.state === 'dead').reduce((s, r) => s + r.n, 0));
    expect(sample(text, 'botctl_jobs_oldest_due_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'botctl_event_loop_lag_p99_seconds')).toBeLessThan(1);
    expect(sample(text, 'botctl_litestream_sync_state', { state: 'disabled' })).toBe(1);
    // The process's own memory, so growth is told apart as JS heap, native buffers or SQLite's cache.
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(20e6);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(1e6);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeLessThan(sample(text, 'process_resident_memory_bytes')!);
  }, 60_000);

  test('/healthz and /readyz of the running worker list their checks', async () => {
    const health = await fetch(`${h.worker.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, failing: [], checks: { eventLoop: { ok: true, limitMs: 1000 }, database: { ok: true } } });
    const ready = await fetch(`${h.worker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, failing: [], checks: { schema: { ok: true }, jobRunner: { ok: true } } });
  });
});
