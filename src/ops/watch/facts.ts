import type { ProbeResult } from '../probes/http-probe.js';
import type { DeadJobsRow, DestinationRow, InboundHistoryRow, OverdueRow, QueueRow, RateRow, TenantIssueRow } from '../../storage/ops-store.js';

/**
 * What watch knows about a cell at one instant: the input of every rule. A field is null when this vantage point
 * cannot know it (a remote cell has no database to read; the replica is not configured); rules then say nothing
 * rather than "all clear".
 */
export interface Facts {
  at: number;
  /** `local <data dir>` or the remote cell's URL, for messages. */
  target: string;
  worker: WorkerFacts | null;
  queue: QueueRow | null;
  deadJobs: (DeadJobsRow & { windowMs: number }) | null;
  outbound: (RateRow & { windowMs: number }) | null;
  llm: (RateRow & { windowMs: number }) | null;
  whatsappBroken: TenantIssueRow[] | null;
  /** Null also while migration 0006 (tenants.telegram_status) is missing. */
  telegramUnreachable: TenantIssueRow[] | null;
  overdueHandovers: OverdueRow[] | null;
  inboundHistory: InboundHistoryRow[] | null;
  /** Destinations (a tenant's managers group, its WhatsApp number) with jobs waiting for their rate budget. */
  saturated: DestinationRow[] | null;
  /** Failing webhook endpoints and CRM connections whose credential was refused. */
  integrations: IntegrationIssue[] | null;
  disk: { path: string; usedRatio: number; freeBytes: number; totalBytes: number } | null;
  replication: ReplicationFacts | null;
  /** Parts of the cell watch could not look at this time, and why (rule `watch_blind`). */
  blind: { what: string; error: string }[];
}

export interface IntegrationIssue {
  slug: string;
  kind: 'webhook' | 'amocrm' | 'bitrix24';
  /** The endpoint id for a webhook, null for a CRM. */
  id: number | null;
  detail: string | null;
  since: number | null;
}

export interface WorkerFacts {
  baseUrl: string;
  healthz: ProbeResult;
  /** Not asked when /healthz gave no answer. */
  readyz: ProbeResult | null;
}

export interface ReplicationFacts {
  /** The replica URL without credentials. */
  replica: string;
  /** Last time data reached the replica (epoch ms); null when nothing did yet or it could not be told. */
  lastSyncAt: number | null;
  how: 'replica files' | 'litestream metrics' | 'unknown';
  /** Litestream sync errors since the previous look. */
  newErrors: number;
  error: string | null;
}

/** Facts with nothing known, for a collector to fill in. */
export function emptyFacts(at: number, target: string): Facts {
  return {
    at, target, worker: null, queue: null, deadJobs: null, outbound: null, llm: null, whatsappBroken: null,
    telegramUnreachable: null, overdueHandovers: null, inboundHistory: null, saturated: null, integrations: null, disk: null, replication: null, blind: [],
  };
}
