import { afterEach, describe, expect, test } from 'vitest';
import type { TraceEvent } from '../../../src/conversation/ports.js';
import { WorkerMetrics } from '../../../src/observability/metrics.js';
import { MetricsTracer } from '../../../src/observability/metrics-tracer.js';
import { JobStore } from '../../../src/storage/job-store.js';
import type { Db } from '../../../src/storage/open-db.js';
import { TraceStore } from '../../../src/storage/trace-store.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';
import { sample } from '../../helpers/prom-text.js';

const NOW = 1_750_000_000_000;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function setup(options: { jobKinds?: string[] } = {}) {
  const { db } = migratedDb();
  const smile = insertTenant(db, 'smile');
  const bolt = insertTenant(db, 'bolt');
  const metrics = new WorkerMetrics({ db, clock: () => NOW, jobKinds: () => options.jobKinds ?? [] });
  const tracer = new MetricsTracer(new TraceStore(db, () => NOW), metrics);
  cleanup.push(() => {
    metrics.stop();
    if (db.open) db.close();
  });
  return { db, metrics, tracer, smile, bolt };
}

const traceRows = (db: Db) => db.prepare('SELECT step, outcome FROM trace_events ORDER BY id').all();

describe('MetricsTracer: trace steps become metrics', () => {
  test('inbound by tenant and type, replies sent, escalations by cause; every event still reaches the database', async () => {
    const { db, metrics, tracer, smile, bolt } = setup();
    const events: TraceEvent[] = [
      { tenantId: smile, traceId: 't1', step: 'webhook.received', detail: { wamid: 'wamid.1', kind: 'text' } },
      { tenantId: smile, traceId: 't2', step: 'webhook.received', detail: { wamid: 'wamid.2', kind: 'text' } },
      { tenantId: smile, traceId: 't3', step: 'webhook.received', detail: { wamid: 'wamid.3', kind: 'image' } },
      { tenantId: bolt, traceId: 't4', step: 'webhook.received', detail: { wamid: 'wamid.4', kind: 'text' } },
      { tenantId: smile, traceId: 't1', step: 'reply.sent', detail: { wamid: 'wamid.out1', attempt: 1 } },
      { tenantId: smile, traceId: 't2', step: 'handover.opened', detail: { handoverId: 1, number: 1, cause: 'llm_unavailable', reason: 'the LLM is unavailable' } },
      { tenantId: bolt, traceId: 't4', step: 'handover.opened', detail: { handoverId: 2, number: 1, cause: 'no_knowledge', reason: 'nothing on it' } },
    ];
    for (const e of events) tracer.record(e);
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_inbound_messages_total', { tenant: 'smile', type: 'text' })).toBe(2);
    expect(sample(text, 'botctl_inbound_messages_total', { tenant: 'smile', type: 'image' })).toBe(1);
    expect(sample(text, 'botctl_inbound_messages_total', { tenant: 'bolt', type: 'text' })).toBe(1);
    expect(sample(text, 'botctl_replies_sent_total', { tenant: 'smile' })).toBe(1);
    expect(sample(text, 'botctl_escalations_total', { tenant: 'smile', cause: 'llm_unavailable' })).toBe(1);
    expect(sample(text, 'botctl_escalations_total', { tenant: 'bolt', cause: 'no_knowledge' })).toBe(1);
    expect(traceRows(db)).toHaveLength(events.length);
  });

  test('LLM calls: latency histogram by outcome, errors by failure read back from the error text', async () => {
    const { metrics, tracer, smile } = setup();
    const call = (outcome: 'ok' | 'error', durationMs: number, error: string | null) =>
      tracer.record({ tenantId: smile, traceId: 't', step: 'llm.call', outcome, durationMs, detail: { model: 'gpt-test', error } });
    call('ok', 1200, null);
    call('error', 1500, 'the LLM failed (500): upstream exploded');
    call('error', 2000, 'the LLM did not answer in time');
    call('error', 300, 'the LLM rate-limited us (429): slow down');
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_llm_call_duration_seconds_count', { tenant: 'smile', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'botctl_llm_call_duration_seconds_sum', { tenant: 'smile', outcome: 'ok' })).toBeCloseTo(1.2);
    expect(sample(text, 'botctl_llm_call_duration_seconds_count', { tenant: 'smile', outcome: 'error' })).toBe(3);
    expect(sample(text, 'botctl_llm_call_duration_seconds_bucket', { tenant: 'smile', outcome: 'error', le: '2' })).toBe(3);
    expect(sample(text, 'botctl_llm_call_duration_seconds_bucket', { tenant: 'smile', outcome: 'error', le: '1' })).toBe(1);
    expect(sample(text, 'botctl_llm_errors_total', { tenant: 'smile', failure: 'server' })).toBe(1);
    expect(sample(text, 'botctl_llm_errors_total', { tenant: 'smile', failure: 'timeout' })).toBe(1);
    expect(sample(text, 'botctl_llm_errors_total', { tenant: 'smile', failure: 'rate_limited' })).toBe(1);
  });

  test('time to take and to resolve come from the desk\'s handover.taken and handover.resolved steps, in seconds', async () => {
    const { metrics, tracer, smile } = setup();
    tracer.record({ tenantId: smile, traceId: 't', step: 'handover.taken', detail: { handoverId: 1, waitMs: 90_000 } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'handover.resolved', detail: { handoverId: 1, durationMs: 1_800_000 } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'handover.taken', detail: { handoverId: 2 } });
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_handover_time_to_take_seconds_count', { tenant: 'smile' })).toBe(1);
    expect(sample(text, 'botctl_handover_time_to_take_seconds_sum', { tenant: 'smile' })).toBe(90);
    expect(sample(text, 'botctl_handover_time_to_take_seconds_bucket', { tenant: 'smile', le: '60' })).toBe(0);
    expect(sample(text, 'botctl_handover_time_to_take_seconds_bucket', { tenant: 'smile', le: '120' })).toBe(1);
    expect(sample(text, 'botctl_handover_time_to_resolve_seconds_sum', { tenant: 'smile' })).toBe(1800);
  });

  test('outbound errors by stage and code: Graph codes, the reason when there is no code, delivery failures', async () => {
    const { metrics, tracer, smile } = setup();
    tracer.record({ tenantId: smile, traceId: 't', step: 'reply.failed', outcome: 'error', detail: { code: 131047, reason: 'window_closed', hint: 'x' } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'reply.failed', outcome: 'error', detail: { code: null, reason: 'transient', hint: 'x' } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'reply.failed', outcome: 'error', detail: { error: 'TransportError: socket hang up' } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'delivery.failed', outcome: 'error', detail: { error: { code: 131026, title: 'Message undeliverable' } } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'guardrail.facts', outcome: 'vetoed', detail: { detail: 'price 30000' } });
    tracer.record({ tenantId: smile, traceId: 't', step: 'guardrail.language', outcome: 'ok', detail: {} });
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_outbound_errors_total', { tenant: 'smile', stage: 'send', code: '131047' })).toBe(1);
    expect(sample(text, 'botctl_outbound_errors_total', { tenant: 'smile', stage: 'send', code: 'transient' })).toBe(1);
    expect(sample(text, 'botctl_outbound_errors_total', { tenant: 'smile', stage: 'send', code: 'network' })).toBe(1);
    expect(sample(text, 'botctl_outbound_errors_total', { tenant: 'smile', stage: 'delivery', code: '131026' })).toBe(1);
    expect(sample(text, 'botctl_guardrail_vetoes_total', { tenant: 'smile', check: 'facts' })).toBe(1);
    expect(sample(text, 'botctl_guardrail_vetoes_total', { tenant: 'smile', check: 'language' })).toBeUndefined();
  });

  test('a turn that answers three coalesced messages traces each step three times but counts it once', async () => {
    const { db, metrics, tracer, smile } = setup();
    const llm = { model: 'gpt-test', error: null };
    const opened = { handoverId: 1, number: 1, cause: 'unsupported_facts', reason: 'price' };
    for (const id of [1, 2, 3]) tracer.record({ tenantId: smile, traceId: `t${id}`, step: 'llm.call', outcome: 'ok', durationMs: 800, messageId: id, detail: llm });
    for (const id of [1, 2, 3]) tracer.record({ tenantId: smile, traceId: `t${id}`, step: 'handover.opened', messageId: id, detail: opened });
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_llm_call_duration_seconds_count', { tenant: 'smile', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'botctl_escalations_total', { tenant: 'smile', cause: 'unsupported_facts' })).toBe(1);
    expect(traceRows(db)).toHaveLength(6);
  });

  test('webhook events count signature failures and unknown phone number ids', async () => {
    const { metrics } = setup();
    const events = metrics.webhookEvents();
    events.signatureFailure();
    events.signatureFailure();
    events.unknownAccount('9999999');
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_webhook_signature_failures_total')).toBe(2);
    expect(sample(text, 'botctl_webhook_unknown_phone_number_ids_total', { phone_number_id: '9999999' })).toBe(1);
  });

  test('tenant labels: slug by id (cached), "none" without a tenant, tenant-<id> for a removed one', async () => {
    const { db, metrics, tracer, smile } = setup();
    tracer.record({ tenantId: smile, traceId: 't', step: 'webhook.received', detail: { kind: 'text' } });
    db.prepare("UPDATE tenants SET slug = 'renamed' WHERE id = ?").run(smile);
    tracer.record({ tenantId: smile, traceId: 't', step: 'webhook.received', detail: { kind: 'text' } });
    tracer.record({ tenantId: null, traceId: 't', step: 'reply.sent', detail: {} });
    tracer.record({ tenantId: 999, traceId: 't', step: 'reply.sent', detail: {} });
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_inbound_messages_total', { tenant: 'smile', type: 'text' })).toBe(2);
    expect(sample(text, 'botctl_replies_sent_total', { tenant: 'none' })).toBe(1);
    expect(sample(text, 'botctl_replies_sent_total', { tenant: 'tenant-999' })).toBe(1);
  });

  test('a failure to count never reaches the caller, like a failure to trace', () => {
    const { db, tracer, smile } = setup();
    db.close();
    expect(() => tracer.record({ tenantId: smile + 100, traceId: 't', step: 'webhook.received', detail: { kind: 'text' } })).not.toThrow();
  });
});

describe('WorkerMetrics: read at scrape time', () => {
  test('queue depth by state and kind, oldest due pending age, dead jobs; kinds with nothing show 0', async () => {
    const { db, metrics } = setup({ jobKinds: ['handle_inbound', 'deliver_message', 'post_handover_card'] });
    const jobs = new JobStore(db);
    const customer = { lane: 'customer' };
    const reply = { lane: 'reply' };
    jobs.enqueue({ kind: 'handle_inbound', runAt: NOW - 90_000, maxAttempts: 5 }, NOW - 100_000, customer);
    jobs.enqueue({ kind: 'handle_inbound', runAt: NOW - 10_000, maxAttempts: 5 }, NOW - 10_000, customer);
    jobs.enqueue({ kind: 'deliver_message', runAt: NOW + 60_000, maxAttempts: 5 }, NOW, reply);
    const dead = jobs.enqueue({ kind: 'deliver_message', maxAttempts: 1 }, NOW - 5000, reply);
    const [claimed] = jobs.claim({ workerId: 'w', lane: 'reply', kinds: ['deliver_message'], limit: 1, leaseMs: 1000, now: NOW - 5000 });
    expect(claimed?.id).toBe(dead);
    jobs.kill(dead, 'w', 'permanent error: token revoked', NOW - 4000);
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_jobs', { state: 'pending', kind: 'handle_inbound' })).toBe(2);
    expect(sample(text, 'botctl_jobs', { state: 'pending', kind: 'deliver_message' })).toBe(1);
    expect(sample(text, 'botctl_jobs', { state: 'dead', kind: 'deliver_message' })).toBe(1);
    expect(sample(text, 'botctl_jobs', { state: 'running', kind: 'handle_inbound' })).toBe(0);
    expect(sample(text, 'botctl_jobs', { state: 'pending', kind: 'post_handover_card' })).toBe(0);
    expect(sample(text, 'botctl_jobs_dead')).toBe(1);
    expect(sample(text, 'botctl_jobs_oldest_due_age_seconds')).toBe(90);
    // Per lane: the answers' lane has both due jobs, the oldest 90 s past due; the replies' lane has none due.
    expect(sample(text, 'botctl_lane_due_jobs', { lane: 'customer' })).toBe(2);
    expect(sample(text, 'botctl_lane_due_jobs', { lane: 'reply' })).toBe(0);
    expect(sample(text, 'botctl_lane_oldest_due_age_seconds', { lane: 'customer' })).toBe(90);
  });

  test('destinations waiting for their rate budget, with their tenant; none without a backlog', async () => {
    const { db, metrics } = setup({});
    db.prepare("INSERT INTO tenants (id, slug, name, timezone, telegram_chat_id, created_at, updated_at) VALUES (7, 'rush', 'Rush', 'UTC', -1005, 0, 0)").run();
    db.prepare("INSERT INTO rate_budgets (key, tat, waiting, waiting_since, updated_at) VALUES ('tg:group:-1005', ?, 12, ?, ?), ('wa:number:7', ?, 0, NULL, ?)").run(NOW, NOW - 120_000, NOW, NOW, NOW);
    const text = await metrics.metrics();
    expect(sample(text, 'botctl_destination_waiting_jobs', { destination: 'tg:group:-1005', tenant: 'rush' })).toBe(12);
    expect(sample(text, 'botctl_destination_oldest_wait_seconds', { destination: 'tg:group:-1005', tenant: 'rush' })).toBe(120);
    expect(text).not.toContain('wa:number:7');
  });

  test('event loop lag p99 and max per scrape window, Litestream state as one-hot', async () => {
    const { db } = migratedDb();
    const metrics = new WorkerMetrics({ db, litestream: async () => ({ state: 'unreachable', detail: 'no answer' }) });
    cleanup.push(() => metrics.stop());
    await new Promise((r) => setTimeout(r, 100));
    const block = Date.now() + 250;
    while (Date.now() < block);
    await new Promise((r) => setTimeout(r, 60));
    const first = await metrics.metrics();
    expect(sample(first, 'botctl_event_loop_lag_max_seconds')).toBeGreaterThanOrEqual(0.2);
    expect(sample(first, 'botctl_litestream_sync_state', { state: 'unreachable' })).toBe(1);
    expect(sample(first, 'botctl_litestream_sync_state', { state: 'ok' })).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    const second = await metrics.metrics();
    expect(sample(second, 'botctl_event_loop_lag_max_seconds')).toBeLessThan(0.2);
  });

  test('two workers in one process keep separate registries', async () => {
    const a = setup();
    const b = setup();
    a.metrics.webhookEvents().signatureFailure();
    expect(sample(await a.metrics.metrics(), 'botctl_webhook_signature_failures_total')).toBe(1);
    expect(sample(await b.metrics.metrics(), 'botctl_webhook_signature_failures_total')).toBe(0);
    expect(a.metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
