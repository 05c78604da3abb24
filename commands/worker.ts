import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { UserError } from '../src/errors.js';
import { createLogger } from '../src/observability/logger.js';
import { setWalAutocheckpoint } from '../src/storage/open-db.js';
import { DEFAULT_PIPELINE_OPTIONS } from '../src/worker/pipeline.js';
import { startWorker } from '../src/worker/start-worker.js';
import { WORKER_DEFAULTS } from '../src/worker/defaults.js';

export default class Worker extends BotctlCommand {
  static override summary = 'Run one worker in the foreground: HTTP server, job runner and scheduler.';
  static override description = 'Applies pending migrations first. SIGTERM or SIGINT drains: intake stops, running jobs get --drain-timeout to finish, the rest go back to the queue. In production botctl run supervises it.';
  static override examples = ['<%= config.bin %> worker', '<%= config.bin %> worker --http-port 8081 --concurrency 256'];
  static override flags = {
    'http-host': Flags.string({ description: 'listen address (overrides BOTCTL_HTTP_HOST)' }),
    'http-port': Flags.string({ description: 'listen port, 0 for any free one (overrides BOTCTL_HTTP_PORT)' }),
    concurrency: Flags.integer({ description: 'most jobs running at once (mostly waiting on LLM and API calls; desk and background work get a capped share)', default: WORKER_DEFAULTS.concurrency, min: 1, max: 4096 }),
    'lease-ms': Flags.integer({ description: 'job lease; a crashed worker\'s jobs run again after it', default: WORKER_DEFAULTS.leaseMs, min: 1000 }),
    'poll-ms': Flags.integer({ description: 'how often to look for due jobs', default: WORKER_DEFAULTS.pollMs, min: 10 }),
    'drain-timeout-ms': Flags.integer({ description: 'how long running jobs may finish at shutdown', default: WORKER_DEFAULTS.drainTimeoutMs, min: 0 }),
    'llm-timeout-ms': Flags.integer({ description: 'one LLM call may take this long', default: DEFAULT_PIPELINE_OPTIONS.brain.callTimeoutMs, min: 100 }),
    'llm-deadline-ms': Flags.integer({ description: 'all LLM retries of one answer together; then a holding reply and a manager', default: DEFAULT_PIPELINE_OPTIONS.brain.deadlineMs, min: 100 }),
    'memory-after-ms': Flags.integer({ description: "condense a customer's memory after the conversation is quiet this long", default: DEFAULT_PIPELINE_OPTIONS.memoryQuietMs, min: 100 }),
    'telegram-webhook': Flags.boolean({ description: 'receive Telegram updates by webhook at BOTCTL_PUBLIC_URL/webhooks/telegram instead of long polling' }),
    'wal-autocheckpoint': Flags.integer({ description: 'WAL pages before this worker checkpoints (SQLite default 1000); botctl run gives 0 while Litestream replicates, which then checkpoints itself', min: 0 }),
    'graph-timeout-ms': Flags.integer({ description: 'one WhatsApp Graph API call may take this long', default: DEFAULT_PIPELINE_OPTIONS.graphTimeoutMs, min: 100 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Worker);
    const config = this.loadConfig(flags, { httpHost: flags['http-host'], httpPort: flags['http-port'] === '0' ? undefined : flags['http-port'] });
    const port = flags['http-port'] === '0' ? 0 : config.httpPort;
    const logger = createLogger({ level: config.logLevel, base: { proc: 'worker' } });
    const cell = this.openCell({ ...config, httpPort: port }, { schema: 'apply' });
    for (const m of cell.migrated) logger.info({ version: m.version, name: m.name }, 'applied migration');
    if (flags['wal-autocheckpoint'] !== undefined) setWalAutocheckpoint(cell.db, flags['wal-autocheckpoint']);
    let worker;
    try {
      worker = await startWorker(cell, logger, {
        concurrency: flags.concurrency, leaseMs: flags['lease-ms'], pollMs: flags['poll-ms'], telegramWebhook: flags['telegram-webhook'],
        pipeline: {
          ...DEFAULT_PIPELINE_OPTIONS,
          brain: { callTimeoutMs: flags['llm-timeout-ms'], deadlineMs: flags['llm-deadline-ms'] },
          graphTimeoutMs: flags['graph-timeout-ms'],
          memoryQuietMs: flags['memory-after-ms'],
        },
      });
    } catch (err) {
      const e = err as Error & { hint?: string };
      throw e.hint ? new UserError(e.message, e.hint) : err;
    }
    const running = worker;
    await new Promise<void>((resolve) => {
      let draining = false;
      const shutdown = (signal: string) => {
        if (draining) return;
        draining = true;
        // The supervisor's IPC channel (see below) must not keep this process alive once drained.
        process.channel?.unref();
        logger.info({ signal }, 'draining');
        void running.stop(flags['drain-timeout-ms']).then((result) => {
          logger.info(result, 'worker stopped');
          resolve();
        });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      // Under botctl run the worker has an IPC channel to the supervisor; it closes when the supervisor dies (even by
      // SIGKILL), and an orphaned worker would keep the port and the database from the next supervisor.
      if (process.send) process.once('disconnect', () => shutdown('supervisor gone'));
    });
  }
}
