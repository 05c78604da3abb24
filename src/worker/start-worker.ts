import { serve, type ServerType } from '@hono/node-server';
import type { Cell } from '../cell.js';
import { JobRegistry } from '../jobs/registry.js';
import { Queue } from '../jobs/queue.js';
import { JobRunner } from '../jobs/runner.js';
import type { Logger } from '../observability/logger.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { createServer } from '../server/create-server.js';
import { JobStore } from '../storage/job-store.js';
import { MAINTENANCE_SCHEDULE, registerMaintenanceJobs } from './maintenance-jobs.js';
import { DEFAULT_PIPELINE_OPTIONS, llmFromConfig, registerPipeline, type PipelineOptions } from './pipeline.js';
import { KnowledgeSearch } from '../knowledge/knowledge-search.js';

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  pipeline?: PipelineOptions;
}

export interface RunningWorker {
  port: number;
  /** Drains: stops HTTP intake and the scheduler, lets running jobs finish up to the deadline. */
  stop(deadlineMs: number): Promise<{ finished: number; released: number }>;
}

/** Assembles the worker: HTTP server, job runner, scheduler, all on one open cell. */
export async function startWorker(cell: Cell, logger: Logger, options: WorkerOptions): Promise<RunningWorker> {
  const jobs = new JobStore(cell.db);
  const registry = new JobRegistry();
  registerMaintenanceJobs(registry, jobs, Date.now);
  const queue = new Queue(jobs, registry);
  const runner = new JobRunner(jobs, registry, logger, options);
  queue.onEnqueue(() => runner.wake());
  const scheduler = new Scheduler(queue, logger);

  const webhook = registerPipeline(cell, {
    registry, queue, logger, knowledge: new KnowledgeSearch(cell.db), llm: llmFromConfig(cell), options: options.pipeline ?? DEFAULT_PIPELINE_OPTIONS,
  });
  const app = createServer({ db: cell.db, runnerTickAt: () => runner.lastTickAt });
  app.route('/webhooks/whatsapp', webhook);
  const server = await listen(app.fetch, cell.config.httpHost, cell.config.httpPort);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cell.config.httpPort;

  runner.start();
  scheduler.start(MAINTENANCE_SCHEDULE);
  logger.info({ host: cell.config.httpHost, port, concurrency: options.concurrency, kinds: registry.names() }, 'worker started');

  return {
    port,
    async stop(deadlineMs) {
      scheduler.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return runner.stop(deadlineMs);
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
