import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Cell } from '../cell.js';
import { JobRegistry } from '../jobs/registry.js';
import { Queue } from '../jobs/queue.js';
import { JobRunner } from '../jobs/runner.js';
import { EventLoopLag } from '../observability/event-loop-lag.js';
import { defaultLitestreamConfigPaths, LitestreamProbe } from '../observability/litestream-state.js';
import type { Logger } from '../observability/logger.js';
import { WorkerMetrics } from '../observability/metrics.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { createServer, type ReadinessCheck } from '../server/create-server.js';
import { JobStore } from '../storage/job-store.js';
import { databasePath } from '../storage/open-db.js';
import { MAINTENANCE_SCHEDULE, maintenanceJobs } from './maintenance-jobs.js';
import { registerJobTable } from './job-table.js';
import { RateBudgets } from '../jobs/budgets.js';
import { BudgetStore } from '../storage/budget-store.js';
import { DEFAULT_PIPELINE_OPTIONS, llmFromConfig, registerPipeline, type PipelineOptions } from './pipeline.js';
import { embedderFromConfig, knowledgeJobs, knowledgeSearchFromConfig } from '../knowledge/wiring.js';
import { registerDesk } from '../desk/desk.js';
import { learningJobs } from './learning-jobs.js';
import { INTEGRATION_SCHEDULE, integrationJobs } from '../integrations/register.js';
import { wireDashboard } from '../dashboard/wire.js';

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  pipeline?: PipelineOptions;
  /** Telegram updates by webhook (BOTCTL_PUBLIC_URL/webhooks/telegram) instead of long polling. */
  telegramWebhook?: boolean;
  /** Extra sub-apps on the worker's HTTP server (`botctl demo` mounts its console at /demo). */
  routes?: { path: string; app: Hono }[];
}

export interface RunningWorker {
  port: number;
  /** Prometheus metrics of this worker (also served at /metrics). */
  metrics: WorkerMetrics;
  /** Named checks `/readyz` runs; a component (e.g. the Telegram poller) pushes its own here. */
  readiness: ReadinessCheck[];
  /** Drains: stops HTTP intake and the scheduler, lets running jobs finish up to the deadline. */
  stop(deadlineMs: number): Promise<{ finished: number; released: number }>;
}

/** Assembles the worker: HTTP server, job runner, scheduler, all on one open cell. */
export async function startWorker(cell: Cell, logger: Logger, options: WorkerOptions): Promise<RunningWorker> {
  const jobs = new JobStore(cell.db);
  const registry = new JobRegistry();
  const budgetStore = new BudgetStore(cell.db);
  const budgets = new RateBudgets(budgetStore);
  const queue = new Queue(jobs, registry);
  const runner = new JobRunner(jobs, registry, logger, { ...options, budgets });
  queue.onEnqueue(() => runner.wake());
  const scheduler = new Scheduler(queue, logger);

  const litestream = new LitestreamProbe({
    replicaUrl: cell.config.litestreamReplicaUrl, configPaths: defaultLitestreamConfigPaths(cell.config.dataDir), dbPath: databasePath(cell.config.dataDir),
  });
  const metrics = new WorkerMetrics({ db: cell.db, jobKinds: () => registry.names(), litestream: () => litestream.check() });
  const eventLoop = new EventLoopLag({ windowMs: 10_000 });
  const readiness: ReadinessCheck[] = [];

  const pipelineOptions = options.pipeline ?? DEFAULT_PIPELINE_OPTIONS;
  const llm = llmFromConfig(cell);
  const embedder = embedderFromConfig(cell.config);
  const knowledge = knowledgeJobs(cell.db, cell.config, { embedder });
  const { webhook, instagramWebhook, telegramWebhook, customerBots, customerChannel, tracer, jobs: pipelineJobs } = registerPipeline(cell, {
    queue, logger, knowledge: knowledgeSearchFromConfig(cell.db, cell.config, embedder, queue), llm, options: pipelineOptions, metrics,
  });
  const dashboard = wireDashboard(cell, { queue });
  const app = createServer({ db: cell.db, runnerTickAt: () => runner.lastTickAt, readiness, eventLoop, metrics, dashboard: dashboard.app });
  app.route('/webhooks/whatsapp', webhook);
  app.route('/webhooks/instagram', instagramWebhook);
  // Tenants' customer bots (`/webhooks/telegram/<tenant>`); the desk bot's own webhook is `/webhooks/telegram`.
  app.route('/webhooks/telegram', telegramWebhook);
  const desk = registerDesk(cell, { queue, logger, tracer, channel: customerChannel, options: { webhook: options.telegramWebhook ?? false }, dashboard: dashboard.links });
  registerJobTable(registry, { pipeline: pipelineJobs, pipelineOptions, desk: desk?.jobs ?? null, knowledge,
    learning: learningJobs(cell, { queue, llm, tracer, desk: desk?.learningContext ?? null }), integrations: integrationJobs(cell), dashboard: dashboard.jobs,
    maintenance: maintenanceJobs(jobs, budgetStore, Date.now) });
  if (desk) {
    readiness.push({ name: 'telegram', check: () => desk.readiness() });
    if (desk.webhookRoute) app.route('/webhooks/telegram', desk.webhookRoute);
  }
  for (const extra of options.routes ?? []) app.route(extra.path, extra.app);
  const server = await listen(app.fetch, cell.config.httpHost, cell.config.httpPort);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cell.config.httpPort;

  runner.start();
  scheduler.start([...MAINTENANCE_SCHEDULE, ...INTEGRATION_SCHEDULE, ...dashboard.schedule]);
  await desk?.start();
  await customerBots.start();
  logger.info({ host: cell.config.httpHost, port, concurrency: options.concurrency, kinds: registry.names() }, 'worker started');

  return {
    port,
    metrics,
    readiness,
    async stop(deadlineMs) {
      scheduler.stop();
      await desk?.stop();
      await customerBots.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const result = await runner.stop(deadlineMs);
      metrics.stop();
      eventLoop.stop();
      return result;
    },
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${port} on ${hostname} is already in use`), { hint: 'stop the other process, or set BOTCTL_HTTP_PORT' }) : err);
    });
  });
}
