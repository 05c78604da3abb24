/** How the supervisor checks a child over HTTP (the worker's `/healthz`, Litestream's `/metrics`). */
export interface HealthSpec {
  url: string;
  /** Time between probes. */
  intervalMs: number;
  /** One probe that takes longer failed: a blocked event loop accepts the connection but never answers. */
  timeoutMs: number;
  /** A running child with no successful probe for this long is restarted. */
  unhealthyAfterMs: number;
  /** A fresh child has this long to answer its first probe (migrations run at start). */
  startTimeoutMs: number;
}

export type HealthVerdict = { state: 'starting' | 'healthy' } | { state: 'unhealthy'; silentForMs: number; reason: string };

/**
 * Whether a child should be restarted for its health: pure, so the thresholds are tested without processes.
 * `lastOkAt` is null until the child answered once; until then it gets `startTimeoutMs` from `startedAt`.
 */
export function healthVerdict(spec: Pick<HealthSpec, 'unhealthyAfterMs' | 'startTimeoutMs'>, startedAt: number, lastOkAt: number | null, now: number): HealthVerdict {
  if (lastOkAt === null) {
    const waited = now - startedAt;
    return waited < spec.startTimeoutMs
      ? { state: 'starting' }
      : { state: 'unhealthy', silentForMs: waited, reason: `it did not answer its health check within ${Math.round(waited / 1000)} s of starting` };
  }
  const silent = now - lastOkAt;
  return silent < spec.unhealthyAfterMs
    ? { state: 'healthy' }
    : { state: 'unhealthy', silentForMs: silent, reason: `its health check has failed for ${(silent / 1000).toFixed(1)} s` };
}

export interface ProbeResult {
  ok: boolean;
  /** Why it failed, for the log line (status and body, or the network error). */
  detail: string;
}

/** One GET with a deadline; 2xx is healthy. Never throws. */
export async function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return response.ok ? { ok: true, detail: `${response.status}` } : { ok: false, detail: `${response.status} ${body.slice(0, 300)}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { ok: false, detail: `no answer within ${timeoutMs} ms` };
    return { ok: false, detail: e.cause?.code ?? e.message };
  }
}
