import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import { parseDuration } from '../../config/durations.js';
import { UserError } from '../../errors.js';
import { localBaseUrl } from '../probes/http-probe.js';
import { Collector } from './collect.js';
import { DEFAULT_POLICY, type Policy } from './engine.js';
import { DEFAULT_LIMITS, type Limits } from './rule.js';

/** The watch flags that are durations or thresholds, as given on the command line (undefined = default). */
export interface WatchTuning {
  url?: string | undefined;
  interval?: string | undefined;
  timeout?: string | undefined;
  'backlog-limit'?: string | undefined;
  'replica-max-age'?: string | undefined;
  repeat?: string | undefined;
  'clear-for'?: string | undefined;
  cooldown?: string | undefined;
  'min-gap'?: string | undefined;
  'litestream-metrics-url'?: string | undefined;
  'state-file'?: string | undefined;
  name?: string | undefined;
}

export function duration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null) throw new UserError(`--${flag} "${value}" is not a duration`, 'write it like 30s, 5m, 2h or 1d');
  return ms;
}

export interface WatchSetup {
  baseUrl: string;
  remote: boolean;
  intervalMs: number;
  limits: Limits;
  policy: Policy;
  stateFile: string;
  cell: string;
  collector: Collector;
}

/** Turns config and flags into what the watcher needs; every bad flag is a UserError naming its fix. */
export function watchSetup(config: Config, t: WatchTuning, clock: () => number = Date.now): WatchSetup {
  let remoteUrl: URL | null = null;
  if (t.url !== undefined) {
    try {
      remoteUrl = new URL(t.url);
      if (!/^https?:$/.test(remoteUrl.protocol)) throw new Error('scheme');
    } catch {
      throw new UserError(`--url "${t.url}" is not an http(s) URL`, 'give the cell\'s base URL, e.g. --url https://cell1.example.com');
    }
  }
  const baseUrl = remoteUrl ? remoteUrl.toString().replace(/\/+$/, '') : localBaseUrl(config.httpHost, config.httpPort);
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    backlogMs: duration('backlog-limit', t['backlog-limit'], DEFAULT_LIMITS.backlogMs),
    replicaMaxAgeMs: duration('replica-max-age', t['replica-max-age'], DEFAULT_LIMITS.replicaMaxAgeMs),
  };
  const policy: Policy = {
    ...DEFAULT_POLICY,
    repeatMs: duration('repeat', t.repeat, DEFAULT_POLICY.repeatMs),
    clearForMs: duration('clear-for', t['clear-for'], DEFAULT_POLICY.clearForMs),
    cooldownMs: duration('cooldown', t.cooldown, DEFAULT_POLICY.cooldownMs),
    minGapMs: duration('min-gap', t['min-gap'], DEFAULT_POLICY.minGapMs),
  };
  const stateFile = t['state-file'] ?? join(config.dataDir, remoteUrl ? `watch-state-${remoteUrl.host.replace(/[^a-zA-Z0-9.-]/g, '_')}.json` : 'watch-state.json');
  const cell = t.name ?? (remoteUrl ? remoteUrl.host : config.publicUrl ? new URL(config.publicUrl).host : hostname());
  const collector = new Collector({
    baseUrl,
    dataDir: remoteUrl ? null : config.dataDir,
    // A remote cell's replica is judged from its worker's /metrics (botctl_litestream_sync_state) instead.
    replicaUrl: remoteUrl ? null : config.litestreamReplicaUrl,
    litestreamMetricsUrl: t['litestream-metrics-url'] ?? null,
    limits,
    probeTimeoutMs: duration('timeout', t.timeout, 5000),
    slowEveryMs: 10 * 60_000,
    clock,
  });
  return { baseUrl, remote: remoteUrl !== null, intervalMs: duration('interval', t.interval, 30_000), limits, policy, stateFile, cell, collector };
}
