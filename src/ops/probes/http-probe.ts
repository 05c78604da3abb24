import { scrubText } from '../../observability/redact.js';

/** One GET against a cell's HTTP endpoint, as watch, status and doctor see it. */
export interface ProbeResult {
  url: string;
  /** HTTP status, or null when no answer came (refused, timeout, DNS). */
  status: number | null;
  ok: boolean;
  /** Why there was no usable answer, in words; null when the endpoint answered 2xx. */
  error: string | null;
  /** The JSON body when there was one (healthz/readyz answer JSON), else the text (metrics), else null. */
  body: unknown;
  ms: number;
}

/**
 * GETs `url` with a hard timeout and never throws: the outcome is data for a rule or a check.
 * Error texts are scrubbed, since a URL or a proxy's error page could carry a credential.
 */
export async function probe(url: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<ProbeResult> {
  const started = performance.now();
  const done = (fields: Omit<ProbeResult, 'url' | 'ms'>): ProbeResult => ({ url, ...fields, ms: Math.round(performance.now() - started) });
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, text/plain' } });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const error = response.ok ? null : `answered HTTP ${response.status}${describeBody(body)}`;
    return done({ status: response.status, ok: response.ok, error, body });
  } catch (err) {
    return done({ status: null, ok: false, error: transportReason(err, timeoutMs), body: null });
  }
}

/** `connection refused`, `no answer within 5000 ms`, … — the cause a person can act on. */
function transportReason(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return scrubText(e.cause?.message ?? e.message ?? String(err));
}

function describeBody(body: unknown): string {
  const problems = healthProblems(body);
  if (problems.length > 0) return `: ${problems.map((p) => p.detail ?? p.name).join('; ')}`;
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    return `: ${scrubText((body as { error: string }).error).slice(0, 200)}`;
  }
  return '';
}

/**
 * The failed checks of a /healthz or /readyz answer (`{ ok, checks: { name: { ok, detail, fix } }, failing }`),
 * each with what the worker itself says to do. Empty for an older worker's `{ ok, error }` answer.
 */
export function healthProblems(body: unknown): { name: string; detail: string | null; fix: string | null }[] {
  const checks = (body as { checks?: Record<string, { ok?: unknown; detail?: unknown; fix?: unknown }> } | null)?.checks;
  if (!checks || typeof checks !== 'object') return [];
  return Object.entries(checks).filter(([, c]) => c?.ok === false).map(([name, c]) => ({
    name,
    detail: typeof c.detail === 'string' ? scrubText(c.detail).slice(0, 200) : null,
    fix: typeof c.fix === 'string' ? scrubText(c.fix).slice(0, 200) : null,
  }));
}

/** How long ago the job runner read the queue, from /readyz (either answer shape), or null. */
export function runnerTickMsAgo(body: unknown): number | null {
  const b = body as { checks?: { jobRunner?: { lastTickMsAgo?: unknown } }; jobRunner?: { lastTickMsAgo?: unknown } } | null;
  const value = b?.checks?.jobRunner?.lastTickMsAgo ?? b?.jobRunner?.lastTickMsAgo;
  return typeof value === 'number' ? value : null;
}

/** The address a local client uses for the worker's listen address (a wildcard listen is reached on loopback). */
export function localBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Removes user:password from a URL before it is shown (replica and metrics URLs may carry them). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url;
  }
}
