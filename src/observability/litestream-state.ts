import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * disabled: no LITESTREAM_REPLICA_URL, nothing to check. unknown: replication is configured but its config names no
 * metrics `addr`, so there is nothing to ask. unreachable: the addr does not answer (Litestream down).
 * failing: Litestream answers but does not replicate our database, or its sync errors grew since the last check.
 */
export type LitestreamSyncState = 'disabled' | 'unknown' | 'unreachable' | 'ok' | 'failing';
export const LITESTREAM_STATES: readonly LitestreamSyncState[] = ['disabled', 'unknown', 'unreachable', 'ok', 'failing'];

export interface LitestreamReport {
  state: LitestreamSyncState;
  detail: string;
  /** Litestream's own counters (summed over its databases) when it answered. */
  syncs?: number;
  syncErrors?: number;
}

export interface LitestreamProbeOptions {
  replicaUrl: string | null;
  /** Litestream config files to look for `addr` in, first existing wins. */
  configPaths: readonly string[];
  /** Our database file; when set, Litestream must report it. */
  dbPath?: string;
  timeoutMs?: number;
}

/** Where Litestream's config usually is: $LITESTREAM_CONFIG, next to the database, then Litestream's default. */
export function defaultLitestreamConfigPaths(dataDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.LITESTREAM_CONFIG, join(dataDir, 'litestream.yml'), '/etc/litestream.yml'].filter((p): p is string => Boolean(p));
}

/**
 * Asks Litestream how replication goes, by scraping its own /metrics. Kept small on purpose: another check
 * (e.g. the age of the newest replica generation) belongs here as one more step of `check()`.
 */
export class LitestreamProbe {
  private lastErrors: number | null = null;

  constructor(private readonly options: LitestreamProbeOptions) {}

  async check(): Promise<LitestreamReport> {
    if (!this.options.replicaUrl) return { state: 'disabled', detail: 'LITESTREAM_REPLICA_URL is not set' };
    const config = this.options.configPaths.find((p) => existsSync(p));
    if (!config) return { state: 'unknown', detail: `no Litestream config at ${this.options.configPaths.join(', ')}` };
    let url: string | null;
    try {
      url = metricsUrl(readFileSync(config, 'utf8'));
    } catch (err) {
      return { state: 'unknown', detail: `cannot read ${config}: ${(err as Error).message}` };
    }
    if (!url) return { state: 'unknown', detail: `${config} has no addr: add addr: "127.0.0.1:9090" so its sync state can be read` };

    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 1000) });
      if (!response.ok) return { state: 'unreachable', detail: `${url} answered ${response.status}` };
      text = await response.text();
    } catch (err) {
      return { state: 'unreachable', detail: `${url} did not answer (${(err as Error).message}): is litestream replicate running?` };
    }
    const counts = parseLitestreamMetrics(text, this.options.dbPath);
    if (!counts) {
      return { state: 'failing', detail: this.options.dbPath ? `Litestream does not replicate ${this.options.dbPath}` : 'Litestream replicates no database' };
    }
    const grew = this.lastErrors !== null && counts.errors > this.lastErrors;
    this.lastErrors = counts.errors;
    return {
      state: grew ? 'failing' : 'ok',
      detail: grew ? `sync errors grew to ${counts.errors}: see journalctl -u botctl for litestream lines` : `${counts.syncs} syncs, ${counts.errors} errors since Litestream started`,
      syncs: counts.syncs,
      syncErrors: counts.errors,
    };
  }
}

/** The URL of Litestream's metrics from its YAML config (`addr: ":9090"` listens on every interface). */
export function metricsUrl(configYaml: string): string | null {
  const config = parseYaml(configYaml) as { addr?: unknown } | null;
  const addr = typeof config?.addr === 'string' ? config.addr.trim() : '';
  if (!addr) return null;
  const match = /^(.*):(\d+)$/.exec(addr);
  if (!match) return null;
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const reachable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${match[2]}/metrics`;
}

/** Sums `litestream_sync_count` and `litestream_sync_error_count` (only for `dbPath` when given); null when absent. */
export function parseLitestreamMetrics(text: string, dbPath?: string): { syncs: number; errors: number } | null {
  let syncs: number | null = null;
  let errors = 0;
  for (const line of text.split('\n')) {
    const match = /^(litestream_sync_count|litestream_sync_error_count)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    if (dbPath && !(match[2] ?? '').includes(`db="${dbPath}"`)) continue;
    const value = Number(match[3]);
    if (match[1] === 'litestream_sync_count') syncs = (syncs ?? 0) + value;
    else errors += value;
  }
  return syncs === null ? null : { syncs, errors };
}
