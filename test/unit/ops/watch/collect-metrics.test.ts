import { describe, expect, test } from 'vitest';
import { MetricsFacts } from '../../../../src/ops/watch/collect-metrics.js';
import { GrowthWindow } from '../../../../src/ops/watch/counter-window.js';
import { emptyFacts } from '../../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS } from '../../../../src/ops/watch/rule.js';
import { evaluateRules } from '../../../../src/ops/watch/rules.js';

const MIN = 60_000;

describe('a remote cell from its /metrics', () => {
  test('growth over a window: counters survive restarts, gauges ignore drops, the first sample is a baseline', () => {
    const counter = new GrowthWindow(15 * MIN, 'counter');
    counter.add(0, 100);
    expect(counter.growth()).toBeNull(); // one sample says nothing about growth
    counter.add(MIN, 110);
    counter.add(2 * MIN, 4); // the worker restarted: 4 new since
    expect(counter.growth()).toBe(14);
    counter.add(20 * MIN, 4);
    expect(counter.growth()).toBe(0); // everything before the window is gone
    const gauge = new GrowthWindow(15 * MIN, 'gauge');
    gauge.add(0, 3);
    gauge.add(MIN, 1); // two retried
    gauge.add(2 * MIN, 2); // one new dead job
    expect(gauge.growth()).toBe(1);
  });

  test('queue, dead jobs, LLM and reply failure rates and Litestream, as the worker exports them', () => {
    const metrics = new MetricsFacts(DEFAULT_LIMITS);
    const text = (o: { dead: number; llmOk: number; llmErr: number; sent: number; sendErr: number; deliveryErr: number; oldest: number; litestream: string }) => [
      `botctl_jobs{state="pending",kind="deliver_message"} 7`, `botctl_jobs{state="running",kind="deliver_message"} 2`,
      `botctl_jobs_dead ${o.dead}`, `botctl_jobs_oldest_due_age_seconds ${o.oldest}`,
      `botctl_llm_call_duration_seconds_count{tenant="dental",outcome="ok"} ${o.llmOk}`, `botctl_llm_call_duration_seconds_count{tenant="dental",outcome="error"} ${o.llmErr}`,
      `botctl_replies_sent_total{tenant="dental"} ${o.sent}`, `botctl_outbound_errors_total{tenant="dental",stage="send",code="131026"} ${o.sendErr}`,
      `botctl_outbound_errors_total{tenant="dental",stage="delivery",code="131047"} ${o.deliveryErr}`,
      ...['ok', 'failing', 'unreachable', 'unknown', 'disabled'].map((s) => `botctl_litestream_sync_state{state="${s}"} ${s === o.litestream ? 1 : 0}`),
    ].join('\n');
    const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);
    const first = emptyFacts(t0, 'https://cell2.example.com');
    metrics.apply(first, text({ dead: 4, llmOk: 100, llmErr: 5, sent: 200, sendErr: 1, deliveryErr: 2, oldest: 0, litestream: 'ok' }));
    expect(first.queue).toMatchObject({ pending: 7, running: 2, oldestDueAt: null });
    expect(first.deadJobs).toBeNull(); // a baseline: old dead jobs are not news
    expect(first.llm).toBeNull(); // a rate needs two scrapes
    expect(first.replication).toMatchObject({ lastSyncAt: t0, error: null });

    const later = emptyFacts(t0 + 5 * MIN, 'https://cell2.example.com');
    metrics.apply(later, text({ dead: 5, llmOk: 110, llmErr: 15, sent: 210, sendErr: 4, deliveryErr: 5, oldest: 420, litestream: 'failing' }));
    const found = Object.fromEntries(evaluateRules(later, DEFAULT_LIMITS).filter((e) => e.findings?.length).map((e) => [e.rule.id, e.findings![0]!.summary]));
    expect(found).toEqual({
      job_backlog: 'the oldest of 7 due jobs has waited 7m (limit 5m); 2 running',
      dead_jobs: '1 jobs gave up in the last 1d (1 jobs (kinds: botctl jobs list --state dead))',
      llm_errors: '10 of 20 LLM calls failed or timed out in the last 15m (50%, limit 30%)',
      outbound_failures: '6 of 13 outbound messages failed in the last 15m (46%, limit 20%)',
      replication_stale: 'the worker reports Litestream failing (litestream metrics)',
    });
  });
});
