import { Hono } from 'hono';
import type { LagReader } from '../observability/event-loop-lag.js';
import type { Db } from '../storage/open-db.js';
import { databaseWritable, eventLoopResponsive, jobRunnerTurning, report, runReadiness, schemaCheck, type CheckResult, type ReadinessCheck } from './health-checks.js';

export type { ReadinessCheck } from './health-checks.js';

export interface ServerDeps {
  db: Db;
  /** Last time the job runner read the queue (epoch ms). */
  runnerTickAt: () => number;
  clock?: () => number;
  /** Named checks other components add (the Telegram poller…); read on every request, so pushing later works. */
  readiness?: ReadinessCheck[];
  /** Event loop delay of the recent past; `/healthz` fails when its p99 reaches `eventLoopLimitMs` (default 1 s). */
  eventLoop?: LagReader;
  eventLoopLimitMs?: number;
  /** The worker's metrics (src/observability/metrics.ts); without them `/metrics` is not served. */
  metrics?: { contentType: string; metrics(): Promise<string> };
  /** The business owner's dashboard (src/dashboard/), served at /dashboard. */
  dashboard?: Hono<any>;
}

/**
 * The worker's HTTP app. `/healthz`: the process is alive (event loop responsive, database writable).
 * `/readyz`: it can do its work (schema current, database writable, job runner turning, every registered readiness check).
 * Both answer `{ ok, checks: { name: { ok, detail?, fix?, …measures } }, failing: [names] }`, 503 when not ok.
 * `/metrics`: Prometheus text. Later capabilities (webhooks, the console) add routes here.
 */
export function createServer(deps: ServerDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const app = new Hono();
  const schema = schemaCheck(deps.db);

  app.get('/healthz', (c) => {
    const checks: Record<string, CheckResult> = {};
    if (deps.eventLoop) checks.eventLoop = eventLoopResponsive(deps.eventLoop, deps.eventLoopLimitMs ?? 1000);
    checks.database = databaseWritable(deps.db, clock());
    const result = report(checks);
    return c.json(result, result.ok ? 200 : 503);
  });

  app.get('/readyz', (c) => {
    // The database being writable is part of readiness too: a load balancer or `botctl watch --url` reading /readyz
    // must not say ready while every webhook answers 500 (a full disk).
    const checks: Record<string, CheckResult> = {
      schema: schema(), database: databaseWritable(deps.db, clock()), jobRunner: jobRunnerTurning(deps.runnerTickAt(), clock(), 10_000),
    };
    for (const check of deps.readiness ?? []) checks[check.name] = runReadiness(check);
    const result = report(checks);
    return c.json(result, result.ok ? 200 : 503);
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (c) => {
      try {
        return c.body(await metrics.metrics(), 200, { 'content-type': metrics.contentType });
      } catch (err) {
        // A scrape that fails shows up in Prometheus as `up 0` with this text, instead of a silent gap.
        return c.text(`metrics could not be collected: ${(err as Error).message}`, 500);
      }
    });
  }

  if (deps.dashboard) {
    const dashboard = deps.dashboard;
    // The overview is /dashboard; a trailing slash (typed, or added by a proxy) leads there with its query.
    app.get('/dashboard/', (c) => c.redirect(`/dashboard${new URL(c.req.url).search}`, 301));
    app.route('/dashboard', dashboard);
  }

  app.notFound((c) => c.json({ ok: false, error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
