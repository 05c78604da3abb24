import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { packageRoot } from '../paths.js';
import type { ChildSpec } from './child-spec.js';
import type { HealthSpec } from './health-probe.js';
import { NOTIFY_VARIABLES } from './sd-notify.js';

export const RUN_JS = join(packageRoot, 'bin', 'run.js');

/**
 * Node flags of the worker. The old-generation heap is bounded: in the benchmark's 5,000-conversation burst the
 * worker's live JavaScript heap stayed under 80 MB, but V8 grew the heap to 317 MB and kept it (RSS 435 MB after the
 * burst); bounded at 192 MB, the same burst ran as fast and RSS stayed near 300 MB. A live set beyond the bound is a
 * crash the supervisor restarts from, and `nodejs_heap_size_used_bytes` in /metrics shows it coming.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-old-space-size=192'];

export type HealthTiming = Pick<HealthSpec, 'intervalMs' | 'unhealthyAfterMs' | 'startTimeoutMs'>;

export interface WorkerChildOptions {
  config: Pick<Config, 'httpHost' | 'httpPort'>;
  /** `--env-file`, `--data-dir`, … as given to `botctl run`, so the worker reads the same configuration. */
  configArgs: string[];
  /** Flags given after `--` to `botctl run`, passed to the worker as they are. */
  extraArgs: string[];
  drainTimeoutMs: number;
  health: HealthTiming;
  /** Litestream replicates this cell: the worker leaves checkpoints to it (PROTOCOLS.md §4). */
  litestream: boolean;
  env: NodeJS.ProcessEnv;
}

/** `botctl worker` as the supervisor runs it: same Node, same configuration, probed on `/healthz`. */
export function workerChild(options: WorkerChildOptions): ChildSpec {
  const { config } = options;
  const args = [...WORKER_NODE_FLAGS, '--', RUN_JS, 'worker', ...options.configArgs, '--http-host', config.httpHost, '--http-port', String(config.httpPort),
    '--drain-timeout-ms', String(options.drainTimeoutMs), ...(options.litestream ? ['--wal-autocheckpoint', '0'] : []), ...options.extraArgs];
  return {
    name: 'worker',
    command: process.execPath,
    args,
    env: withoutNotifyVariables(options.env),
    ipc: true,
    health: { ...options.health, url: `http://${probeHost(config.httpHost)}:${config.httpPort}/healthz`, timeoutMs: probeTimeout(options.health) },
    // The worker drains for up to its deadline; the margin covers closing the server and the database.
    stopTimeoutMs: options.drainTimeoutMs + 5000,
    minUptimeBeforeStopMs: 0,
    output: 'json',
  };
}

export interface LitestreamChildOptions {
  binary: string;
  configPath: string;
  /** Metrics `host:port` from the rendered config: probed as Litestream's health check; null = exits only. */
  metricsAddr: string | null;
  health: HealthTiming;
  env: NodeJS.ProcessEnv;
}

/** `litestream replicate` on the rendered config; its environment carries the replica's credentials. */
export function litestreamChild(options: LitestreamChildOptions): ChildSpec {
  return {
    name: 'litestream',
    command: options.binary,
    args: ['replicate', '-config', options.configPath, '-no-expand-env'],
    env: withoutNotifyVariables(options.env),
    ipc: false,
    health: options.metricsAddr ? { ...options.health, url: `http://${probeAddr(options.metricsAddr)}/metrics`, timeoutMs: probeTimeout(options.health) } : null,
    // On SIGTERM Litestream syncs what is left to the replica, then exits.
    stopTimeoutMs: 15_000,
    // Three sync intervals (1 s in templates/litestream.yml): its first sync has happened even on a busy machine.
    minUptimeBeforeStopMs: 3000,
    output: 'logfmt',
  };
}

/** Where to reach a server listening on `host` from this machine (a wildcard address means loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `host:port` as a URL authority reachable from here (`:9190` and `0.0.0.0:9190` mean loopback). */
export function probeAddr(addr: string): string {
  const at = addr.lastIndexOf(':');
  return `${probeHost(addr.slice(0, at).replace(/^\[|\]$/g, ''))}:${addr.slice(at + 1)}`;
}

/** One probe may take up to half the time a child may stay silent, at most 2 s, at least 200 ms. */
function probeTimeout(health: HealthTiming): number {
  return Math.max(200, Math.min(2000, Math.floor(health.unhealthyAfterMs / 2)));
}

function withoutNotifyVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of NOTIFY_VARIABLES) delete copy[name];
  return copy;
}
