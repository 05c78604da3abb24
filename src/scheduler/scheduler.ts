import cron, { type ScheduledTask } from 'node-cron';
import type { Queue } from '../jobs/queue.js';
import type { JobSpec } from '../jobs/types.js';
import type { Logger } from '../observability/logger.js';

export interface ScheduleEntry {
  /** node-cron expression (with seconds when it has six fields). */
  cron: string;
  /** The job to enqueue each time; it gets a unique key, so a backlog never piles up copies. */
  job: (now: number) => JobSpec & { uniqueKey: string };
}

/**
 * Turns time into durable jobs: each tick only enqueues, so work missed while the worker was down, or
 * interrupted by a crash, is still in the queue and runs once.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(private readonly queue: Queue, private readonly logger: Logger, private readonly clock: () => number = Date.now) {}

  start(entries: readonly ScheduleEntry[]): void {
    for (const entry of entries) {
      const task = cron.schedule(entry.cron, () => {
        try {
          this.queue.enqueue(entry.job(this.clock()));
        } catch (err) {
          this.logger.error({ err, cron: entry.cron }, 'scheduler could not enqueue its job; it will try at the next tick');
        }
      });
      this.tasks.push(task);
    }
  }

  stop(): void {
    for (const task of this.tasks.splice(0)) void task.stop();
  }
}
