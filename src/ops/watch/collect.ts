import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { diskUsage } from '../probes/disk.js';
import { probe } from '../probes/http-probe.js';
import { DatabaseFacts } from './collect-database.js';
import { MetricsFacts } from './collect-metrics.js';
import { ReplicationFactsSource } from './collect-replication.js';
import { emptyFacts, type Facts, type WorkerFacts } from './facts.js';
import type { Limits } from './rule.js';

export interface CollectorOptions {
  /** The worker's base URL (`http://127.0.0.1:8080`, or the remote cell's). */
  baseUrl: string;
  /** The cell's data folder when watching locally; null when watching a remote cell by URL. */
  dataDir: string | null;
  replicaUrl: string | null;
  /** Litestream's own /metrics; by default the `addr` of litestream.yml in the data folder. */
  litestreamMetricsUrl: string | null;
  limits: Limits;
  probeTimeoutMs: number;
  slowEveryMs: number;
  clock: () => number;
}

/**
 * Gathers one Facts snapshot. Locally: the worker's /healthz and /readyz, the database, the disk, the replica.
 * Remotely (`--url`): /healthz, /readyz and, when served, /metrics. Never throws: what it cannot see goes to
 * `blind` (rule watch_blind), so a broken view is itself an alert rather than a silent "all clear".
 */
export class Collector {
  private readonly database: DatabaseFacts | null;
  private readonly metrics: MetricsFacts | null;
  private readonly replication: ReplicationFactsSource | null;

  constructor(private readonly options: CollectorOptions) {
    const o = options;
    this.database = o.dataDir ? new DatabaseFacts(o.dataDir, o.limits, o.slowEveryMs) : null;
    this.metrics = o.dataDir ? null : new MetricsFacts(o.limits);
    this.replication = o.dataDir && o.replicaUrl
      ? new ReplicationFactsSource(o.replicaUrl, join(o.dataDir, 'litestream.yml'), o.litestreamMetricsUrl, o.probeTimeoutMs)
      : null;
  }

  async collect(): Promise<Facts> {
    const o = this.options;
    const facts = emptyFacts(o.clock(), o.dataDir ? `local ${o.dataDir}` : o.baseUrl);
    const { worker, metricsText } = await this.worker();
    facts.worker = worker;
    if (this.metrics && metricsText !== null) this.metrics.apply(facts, metricsText);
    this.database?.apply(facts);
    if (o.dataDir) {
      try {
        facts.disk = await diskUsage(o.dataDir);
      } catch (err) {
        facts.blind.push({ what: 'disk', error: errorMessage(err) });
      }
    }
    if (this.replication) facts.replication = await this.replication.read(facts.at);
    return facts;
  }

  close(): void {
    this.database?.close();
  }

  private async worker(): Promise<{ worker: WorkerFacts; metricsText: string | null }> {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const timeout = this.options.probeTimeoutMs;
    const healthz = await probe(`${base}/healthz`, timeout);
    if (healthz.status === null) return { worker: { baseUrl: base, healthz, readyz: null }, metricsText: null };
    const [readyz, metrics] = await Promise.all([probe(`${base}/readyz`, timeout), this.metrics ? probe(`${base}/metrics`, timeout) : null]);
    const metricsText = metrics?.ok && typeof metrics.body === 'string' ? metrics.body : null;
    return { worker: { baseUrl: base, healthz, readyz }, metricsText };
  }
}
