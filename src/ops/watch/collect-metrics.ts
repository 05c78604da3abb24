import { parsePromText, sumOf, type PromSample } from '../probes/prom-text.js';
import { GrowthWindow } from './counter-window.js';
import type { Facts } from './facts.js';
import type { Limits } from './rule.js';

/**
 * Facts about a remote cell from its worker's `/metrics` (src/observability/metrics.ts), for `watch --url`, where
 * there is no database to read. Rates and dead jobs come from growth between scrapes, so they need two looks.
 */
export class MetricsFacts {
  private readonly dead: GrowthWindow;
  private readonly llmAll: GrowthWindow;
  private readonly llmFailed: GrowthWindow;
  private readonly sent: GrowthWindow;
  private readonly sendErrors: GrowthWindow;
  private readonly outboundErrors: GrowthWindow;

  constructor(private readonly limits: Limits) {
    this.dead = new GrowthWindow(limits.deadWindowMs, 'gauge');
    this.llmAll = new GrowthWindow(limits.rateWindowMs, 'counter');
    this.llmFailed = new GrowthWindow(limits.rateWindowMs, 'counter');
    this.sent = new GrowthWindow(limits.rateWindowMs, 'counter');
    this.sendErrors = new GrowthWindow(limits.rateWindowMs, 'counter');
    this.outboundErrors = new GrowthWindow(limits.rateWindowMs, 'counter');
  }

  /** Fills what the metrics text says into `facts`; unknown metrics leave their facts null. */
  apply(facts: Facts, text: string): void {
    const s = parsePromText(text);
    const now = facts.at;
    const oldest = sumOf(s, 'botctl_jobs_oldest_due_age_seconds');
    if (oldest !== null) {
      facts.queue = {
        pending: sumOf(s, 'botctl_jobs', { state: 'pending' }) ?? 0, running: sumOf(s, 'botctl_jobs', { state: 'running' }) ?? 0,
        dead: sumOf(s, 'botctl_jobs_dead') ?? 0, done: 0, due: sumOf(s, 'botctl_jobs', { state: 'pending' }) ?? 0,
        oldestDueAt: oldest > 0 ? now - oldest * 1000 : null,
      };
    }
    const dead = sumOf(s, 'botctl_jobs_dead');
    if (dead !== null) {
      this.dead.add(now, dead);
      const grew = this.dead.growth();
      if (grew !== null) facts.deadJobs = { count: grew, kinds: grew > 0 ? { 'jobs (kinds: botctl jobs list --state dead)': grew } : {}, newest: null, windowMs: this.limits.deadWindowMs };
    }
    facts.llm = this.rate(s, now, 'botctl_llm_call_duration_seconds_count', this.llmAll, this.llmFailed, (x) => x.labels.outcome !== 'ok');
    facts.outbound = this.outbound(s, now);
    facts.replication = replicationFromWorker(s, now);
    // A worker with lanes always has botctl_lane_due_jobs; destinations have series only while they have a backlog.
    if (s.some((x) => x.name === 'botctl_lane_due_jobs')) {
      const waiting = new Map(s.filter((x) => x.name === 'botctl_destination_waiting_jobs').map((x) => [x.labels.destination, x.value]));
      facts.saturated = s.filter((x) => x.name === 'botctl_destination_oldest_wait_seconds' && x.labels.destination).map((x) => ({
        key: x.labels.destination!, tenant: x.labels.tenant && x.labels.tenant !== 'none' ? x.labels.tenant : null,
        waiting: waiting.get(x.labels.destination) ?? 0, waitingSince: now - x.value * 1000,
      }));
    }
  }

  private rate(s: PromSample[], now: number, name: string, all: GrowthWindow, failed: GrowthWindow, isFailure: (x: PromSample) => boolean): Facts['llm'] {
    const samples = s.filter((x) => x.name === name);
    if (samples.length === 0) return null;
    all.add(now, samples.reduce((n, x) => n + x.value, 0));
    failed.add(now, samples.filter(isFailure).reduce((n, x) => n + x.value, 0));
    const total = all.growth();
    const bad = failed.growth();
    if (total === null || bad === null) return null;
    return { total, failed: bad, sample: null, topTenants: [], windowMs: this.limits.rateWindowMs };
  }

  private outbound(s: PromSample[], now: number): Facts['outbound'] {
    const sent = sumOf(s, 'botctl_replies_sent_total');
    if (sent === null) return null;
    this.sent.add(now, sent);
    this.sendErrors.add(now, sumOf(s, 'botctl_outbound_errors_total', { stage: 'send' }) ?? 0);
    this.outboundErrors.add(now, sumOf(s, 'botctl_outbound_errors_total') ?? 0);
    const [ok, refused, failed] = [this.sent.growth(), this.sendErrors.growth(), this.outboundErrors.growth()];
    if (ok === null || refused === null || failed === null) return null;
    // Attempts = accepted + refused at send; failures = refused at send + reported undelivered later.
    return { total: ok + refused, failed, sample: null, topTenants: [], windowMs: this.limits.rateWindowMs };
  }
}

/** The worker's own view of Litestream (`botctl_litestream_sync_state`), for a cell watched from elsewhere. */
function replicationFromWorker(s: PromSample[], now: number): Facts['replication'] {
  const state = s.find((x) => x.name === 'botctl_litestream_sync_state' && x.value === 1)?.labels.state;
  if (!state || state === 'disabled') return null;
  if (state === 'ok') return { replica: 'the cell\'s replica', lastSyncAt: now, how: 'litestream metrics', newErrors: 0, error: null };
  if (state === 'unknown') return { replica: 'the cell\'s replica', lastSyncAt: null, how: 'unknown', newErrors: 0, error: null };
  return { replica: 'the cell\'s replica', lastSyncAt: null, how: 'litestream metrics', newErrors: 0, error: `the worker reports Litestream ${state}` };
}
