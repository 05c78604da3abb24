import { existsSync, readFileSync } from 'node:fs';
import { errorMessage } from '../../errors.js';
import { metricsUrl } from '../../observability/litestream-state.js';
import { displayUrl, probe } from '../probes/http-probe.js';
import { LitestreamMetricsTracker, localReplicaPath, newestReplicaMtime } from '../probes/replication.js';
import type { ReplicationFacts } from './facts.js';

/**
 * How fresh the replica is: for a folder, the age of its newest file; otherwise Litestream's own metrics (the
 * `addr` of the litestream.yml botctl run renders), read as "when did litestream_sync_count last grow".
 */
export class ReplicationFactsSource {
  private readonly tracker = new LitestreamMetricsTracker();

  constructor(
    private readonly replicaUrl: string,
    private readonly litestreamConfig: string,
    private readonly explicitMetricsUrl: string | null,
    private readonly timeoutMs: number,
  ) {}

  async read(now: number): Promise<ReplicationFacts> {
    const replica = displayUrl(this.replicaUrl);
    const local = localReplicaPath(this.replicaUrl);
    if (local) {
      try {
        return { replica, lastSyncAt: await newestReplicaMtime(local), how: 'replica files', newErrors: 0, error: null };
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        return { replica, lastSyncAt: null, how: 'replica files', newErrors: 0, error: missing ? `${local} does not exist` : errorMessage(err) };
      }
    }
    const url = this.explicitMetricsUrl ?? this.metricsUrlFromConfig();
    if (!url) return { replica, lastSyncAt: null, how: 'unknown', newErrors: 0, error: null };
    const answer = await probe(url, this.timeoutMs);
    if (!answer.ok || typeof answer.body !== 'string') {
      return { replica, lastSyncAt: null, how: 'litestream metrics', newErrors: 0, error: `Litestream's metrics at ${displayUrl(url)}: ${answer.error ?? 'not text'} (is Litestream running?)` };
    }
    const seen = this.tracker.observe(answer.body, now);
    return { replica, lastSyncAt: seen.lastSyncAt, how: 'litestream metrics', newErrors: seen.newErrors, error: seen.error };
  }

  private metricsUrlFromConfig(): string | null {
    try {
      return existsSync(this.litestreamConfig) ? metricsUrl(readFileSync(this.litestreamConfig, 'utf8')) : null;
    } catch {
      return null;
    }
  }
}
