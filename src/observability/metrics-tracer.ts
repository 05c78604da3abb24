import type { TraceEvent, Tracer } from '../conversation/ports.js';
import type { Db } from '../storage/open-db.js';
import { TraceStore } from '../storage/trace-store.js';
import { llmFailureOf } from './llm-failure.js';
import type { WorkerMetrics } from './metrics.js';

/**
 * A Tracer that also counts: it hands every event to the tracer it wraps (the database), then updates the
 * metrics from the step name and detail. This keeps the domain core free of metrics: the steps it already traces
 * are the metrics' source. A metrics failure never reaches the caller, as a trace failure never does.
 *
 * One caveat: steps traced inside a transaction that then rolls back (intake answering 500) were counted anyway.
 */
export class MetricsTracer implements Tracer {
  /**
   * A turn that answers several coalesced messages traces each of its steps once per message, passing the same
   * detail object every time (src/conversation/handle-inbound.ts). One detail object is one happening: count it once.
   */
  private readonly counted = new WeakSet<object>();

  constructor(private readonly inner: Tracer, private readonly metrics: WorkerMetrics) {}

  record(event: TraceEvent): void {
    this.inner.record(event);
    try {
      if (event.detail) {
        if (this.counted.has(event.detail)) return;
        this.counted.add(event.detail);
      }
      this.count(event);
    } catch {
      // Metrics are diagnostics: a label lookup failing must not fail the work the event describes.
    }
  }

  private count(event: TraceEvent): void {
    const m = this.metrics;
    const detail = event.detail ?? {};
    const tenant = m.tenantLabel(event.tenantId);
    const step = event.step;

    if (step === 'webhook.received') m.inbound.inc({ tenant, type: text(detail.kind, 'unknown') });
    else if (step === 'reply.sent') m.repliesSent.inc({ tenant });
    else if (step === 'reply.failed') m.outboundErrors.inc({ tenant, stage: 'send', code: errorCode(detail.code, detail.reason) });
    else if (step === 'delivery.failed') m.outboundErrors.inc({ tenant, stage: 'delivery', code: errorCode((detail.error as { code?: unknown } | undefined)?.code, null) });
    else if (step === 'handover.opened') m.escalations.inc({ tenant, cause: text(detail.cause, 'unknown') });
    else if (step === 'handover.taken' && isDuration(detail.waitMs)) m.timeToTake.observe({ tenant }, detail.waitMs / 1000);
    else if (step === 'handover.resolved' && isDuration(detail.durationMs)) m.timeToResolve.observe({ tenant }, detail.durationMs / 1000);
    else if (step === 'llm.call') {
      const ok = event.outcome !== 'error';
      if (isDuration(event.durationMs)) m.llmLatency.observe({ tenant, outcome: ok ? 'ok' : 'error' }, event.durationMs / 1000);
      if (!ok) m.llmErrors.inc({ tenant, failure: llmFailureOf(detail.error) });
    } else if (step.startsWith('guardrail.') && event.outcome === 'vetoed') m.guardrailVetoes.inc({ tenant, check: step.slice('guardrail.'.length) });
  }
}

/** A label value from a detail field, bounded so a surprising value cannot blow up the series count. */
function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value ? value.slice(0, 40) : fallback;
}

/** The provider's numeric error code when there is one, else the classified reason (transport errors have neither). */
function errorCode(code: unknown, reason: unknown): string {
  if (typeof code === 'number' || (typeof code === 'string' && /^\d{1,7}$/.test(code))) return String(code);
  return text(reason, 'network');
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The tracer every worker component should record with: the database, counted when the worker has metrics. */
export function workerTracer(db: Db, metrics?: WorkerMetrics | null): Tracer {
  const store = new TraceStore(db);
  return metrics ? new MetricsTracer(store, metrics) : store;
}
