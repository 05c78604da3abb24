import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LANES } from '../jobs/lanes.js';
import { MetricsStore } from '../storage/metrics-store.js';
import type { Db } from '../storage/open-db.js';
import { EventLoopLag } from './event-loop-lag.js';
import { LITESTREAM_STATES, type LitestreamReport } from './litestream-state.js';

export interface WorkerMetricsOptions {
  db: Db;
  /** Job kinds the worker runs, so an empty queue shows 0 per kind instead of no series. */
  jobKinds?: () => readonly string[];
  /** Litestream's sync state, asked at scrape time (src/observability/litestream-state.ts). */
  litestream?: () => Promise<LitestreamReport>;
  clock?: () => number;
}

const MINUTE = 60;
const HOUR = 3600;

/**
 * The worker's Prometheus metrics, in a registry of its own (not prom-client's global one), so a process can
 * hold several (tests start many cells). Counters are fed by MetricsTracer from trace steps and by the webhook's
 * events; queue gauges, event loop lag and Litestream are read when scraped. `/metrics` serves `metrics()`.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  readonly inbound: Counter<'tenant' | 'type'>;
  readonly repliesSent: Counter<'tenant'>;
  readonly escalations: Counter<'tenant' | 'cause'>;
  readonly guardrailVetoes: Counter<'tenant' | 'check'>;
  readonly timeToTake: Histogram<'tenant'>;
  readonly timeToResolve: Histogram<'tenant'>;
  readonly llmLatency: Histogram<'tenant' | 'outcome'>;
  readonly llmErrors: Counter<'tenant' | 'failure'>;
  readonly outboundErrors: Counter<'tenant' | 'stage' | 'code'>;
  readonly signatureFailures: Counter;
  readonly unknownAccounts: Counter<'phone_number_id'>;
  readonly webhookRejections: Counter<'reason'>;

  private readonly store: MetricsStore;
  private readonly slugs = new Map<number, string>();
  private readonly loop = new EventLoopLag();

  constructor(private readonly options: WorkerMetricsOptions) {
    this.store = new MetricsStore(options.db);
    const registers = [this.registry];
    // The process's own figures (process_resident_memory_bytes, nodejs_heap_size_used_bytes, open fds, GC time),
    // so memory growth is told apart as JavaScript heap, native buffers or SQLite's cache.
    collectDefaultMetrics({ register: this.registry });
    const clock = options.clock ?? Date.now;

    this.inbound = new Counter({ name: 'botctl_inbound_messages_total', help: 'Customer messages stored, by tenant and message type.', labelNames: ['tenant', 'type'], registers });
    this.repliesSent = new Counter({ name: 'botctl_replies_sent_total', help: 'Messages the channel accepted for a customer (bot answers, holding replies, notices).', labelNames: ['tenant'], registers });
    this.escalations = new Counter({ name: 'botctl_escalations_total', help: 'Conversations handed to managers, by cause.', labelNames: ['tenant', 'cause'], registers });
    this.guardrailVetoes = new Counter({ name: 'botctl_guardrail_vetoes_total', help: 'Bot answers stopped by a guardrail, by check.', labelNames: ['tenant', 'check'], registers });
    this.timeToTake = new Histogram({
      name: 'botctl_handover_time_to_take_seconds', help: 'From handover opened to a manager taking it.', labelNames: ['tenant'], registers,
      buckets: [30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR],
    });
    this.timeToResolve = new Histogram({
      name: 'botctl_handover_time_to_resolve_seconds', help: 'From handover opened to resolved.', labelNames: ['tenant'], registers,
      buckets: [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 48 * HOUR, 7 * 24 * HOUR],
    });
    this.llmLatency = new Histogram({
      name: 'botctl_llm_call_duration_seconds', help: 'One LLM call, including failed ones.', labelNames: ['tenant', 'outcome'], registers,
      buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45],
    });
    this.llmErrors = new Counter({ name: 'botctl_llm_errors_total', help: 'Failed LLM calls, by failure (timeout, rate_limited, server, network, auth, bad_request).', labelNames: ['tenant', 'failure'], registers });
    this.outboundErrors = new Counter({
      name: 'botctl_outbound_errors_total', help: 'Replies the channel refused (stage=send) or reported undelivered (stage=delivery), by error code.',
      labelNames: ['tenant', 'stage', 'code'], registers,
    });
    this.signatureFailures = new Counter({ name: 'botctl_webhook_signature_failures_total', help: 'Webhook deliveries refused for a bad or missing signature.', registers });
    this.webhookRejections = new Counter({ name: 'botctl_webhook_rejections_total', help: 'Parts of signed webhook deliveries answered 200 but not stored (kept in webhook_rejections), by reason.', labelNames: ['reason'], registers });
    this.unknownAccounts = new Counter({ name: 'botctl_webhook_unknown_phone_number_ids_total', help: 'Signed webhook parts for a phone number id no tenant has.', labelNames: ['phone_number_id'], registers });

    const store = this.store;
    const kinds = options.jobKinds ?? (() => []);
    new Gauge({
      name: 'botctl_jobs', help: 'Jobs in the queue by state (pending, running, dead) and kind.', labelNames: ['state', 'kind'], registers,
      collect() {
        this.reset();
        for (const kind of kinds()) for (const state of ['pending', 'running', 'dead'] as const) this.set({ state, kind }, 0);
        for (const row of store.jobCounts()) this.set({ state: row.state, kind: row.kind }, row.n);
      },
    });
    new Gauge({
      name: 'botctl_jobs_dead', help: 'Dead jobs (attempts exhausted or a permanent error); each is an alert. botctl jobs list --state dead', registers,
      collect() {
        this.set(store.jobCounts().filter((r) => r.state === 'dead').reduce((sum, r) => sum + r.n, 0));
      },
    });
    new Gauge({
      name: 'botctl_jobs_oldest_due_age_seconds', help: 'How long the longest-waiting due job has waited past its run_at (0 when none).', registers,
      collect() {
        const now = clock();
        const runAt = store.oldestDueRunAt(now);
        this.set(runAt === null ? 0 : (now - runAt) / 1000);
      },
    });

    new Gauge({
      name: 'botctl_lane_due_jobs', help: 'Due jobs waiting to be claimed, per lane (reply, customer, desk, background).', labelNames: ['lane'], registers,
      collect() {
        this.reset();
        for (const lane of LANES) this.set({ lane }, 0);
        for (const row of store.lanes(clock())) this.set({ lane: row.lane }, row.due);
      },
    });
    new Gauge({
      name: 'botctl_lane_oldest_due_age_seconds', help: 'How long the longest-waiting due job of each lane has waited past its run_at.', labelNames: ['lane'], registers,
      collect() {
        this.reset();
        const now = clock();
        for (const lane of LANES) this.set({ lane }, 0);
        for (const row of store.lanes(now)) this.set({ lane: row.lane }, row.oldestDueAt === null ? 0 : (now - row.oldestDueAt) / 1000);
      },
    });
    // Only destinations with a backlog have series, at most 50: a cell has thousands of groups and numbers.
    new Gauge({
      name: 'botctl_destination_waiting_jobs', help: 'Jobs waiting for a destination\'s rate budget (a Telegram group, a WhatsApp number).', labelNames: ['destination', 'tenant'], registers,
      collect() {
        this.reset();
        for (const d of store.destinations(50)) this.set({ destination: d.key, tenant: d.tenant ?? 'none' }, d.waiting);
      },
    });
    new Gauge({
      name: 'botctl_destination_oldest_wait_seconds', help: 'How long the oldest job waiting for a destination\'s rate budget has waited.', labelNames: ['destination', 'tenant'], registers,
      collect() {
        this.reset();
        const now = clock();
        for (const d of store.destinations(50)) this.set({ destination: d.key, tenant: d.tenant ?? 'none' }, Math.max(0, (now - d.waitingSince) / 1000));
      },
    });

    // p99 and max are read together and the window reset once, so both describe the same scrape interval.
    let window = { p99Ms: 0, maxMs: 0 };
    const loop = this.loop;
    new Gauge({
      name: 'botctl_event_loop_lag_p99_seconds', help: 'Event loop delay p99 since the previous scrape (includes the 20 ms sampling interval).', registers,
      collect() {
        window = loop.take();
        this.set(window.p99Ms / 1000);
      },
    });
    new Gauge({
      name: 'botctl_event_loop_lag_max_seconds', help: 'Longest event loop delay since the previous scrape.', registers,
      collect() {
        this.set(window.maxMs / 1000);
      },
    });

    const litestream = options.litestream ?? (async (): Promise<LitestreamReport> => ({ state: 'disabled', detail: 'not checked' }));
    let report: LitestreamReport = { state: 'unknown', detail: 'not scraped yet' };
    new Gauge({
      name: 'botctl_litestream_sync_state', help: 'Litestream replication: 1 for the current state (ok, failing, unreachable, unknown, disabled).', labelNames: ['state'], registers,
      async collect() {
        report = await litestream().catch((err: unknown) => ({ state: 'unknown' as const, detail: String(err) }));
        for (const state of LITESTREAM_STATES) this.set({ state }, state === report.state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'botctl_litestream_sync_errors', help: 'Litestream\'s own litestream_sync_error_count when it answered.', registers,
      collect() {
        this.reset();
        if (report.syncErrors !== undefined) this.set(report.syncErrors);
      },
    });
  }

  /** The tenant label: its slug, looked up once per tenant id (slugs do not change). */
  tenantLabel(tenantId: number | null): string {
    if (tenantId === null) return 'none';
    const cached = this.slugs.get(tenantId);
    if (cached) return cached;
    const slug = this.store.tenantSlug(tenantId);
    // A missing tenant (removed since) is not cached: ids are never reused, and it should be rare.
    if (!slug) return `tenant-${tenantId}`;
    this.slugs.set(tenantId, slug);
    return slug;
  }

  /** The `events` hooks of whatsappWebhook (src/server/whatsapp-webhook.ts). */
  webhookEvents(): { signatureFailure(): void; unknownAccount(phoneNumberId: string): void; rejected(reason: string): void } {
    return {
      signatureFailure: () => this.signatureFailures.inc(),
      rejected: (reason) => this.webhookRejections.inc({ reason }),
      unknownAccount: (phoneNumberId) => this.unknownAccounts.inc({ phone_number_id: phoneNumberId.slice(0, 32) }),
    };
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    this.loop.stop();
  }
}
