import type { TraceEvent, Tracer } from '../conversation/ports.js';
import type { Db } from './open-db.js';

export interface StoredTraceEvent {
  id: number;
  tenantId: number | null;
  traceId: string;
  at: number;
  step: string;
  outcome: string;
  durationMs: number | null;
  messageId: number | null;
  jobId: number | null;
  detail: Record<string, unknown>;
}

/** Writes and reads the steps `botctl trace` prints. A failure to trace never fails the work it describes. */
export class TraceStore implements Tracer {
  private readonly insert;

  constructor(private readonly db: Db, private readonly clock: () => number = Date.now) {
    this.insert = db.prepare(`INSERT INTO trace_events (tenant_id, trace_id, at, step, outcome, duration_ms, message_id, job_id, detail)
      VALUES (@tenantId, @traceId, @at, @step, @outcome, @durationMs, @messageId, @jobId, @detail)`);
  }

  record(event: TraceEvent): void {
    try {
      this.insert.run({
        tenantId: event.tenantId, traceId: event.traceId, at: event.at ?? this.clock(), step: event.step, outcome: event.outcome ?? 'ok',
        durationMs: event.durationMs ?? null, messageId: event.messageId ?? null, jobId: event.jobId ?? null, detail: JSON.stringify(event.detail ?? {}),
      });
    } catch {
      // Tracing is diagnostics: a full disk or a removed tenant must not turn a delivered reply into a failed job.
    }
  }

  forTrace(traceId: string): StoredTraceEvent[] {
    const rows = this.db.prepare(`SELECT id, tenant_id AS tenantId, trace_id AS traceId, at, step, outcome, duration_ms AS durationMs,
      message_id AS messageId, job_id AS jobId, detail FROM trace_events WHERE trace_id = ? ORDER BY at, id`).all(traceId) as (Omit<StoredTraceEvent, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
