import type { Logger } from '../observability/logger.js';
import type { JobStore } from '../storage/job-store.js';
import { isGoneLocalWorker } from './worker-id.js';

/**
 * Puts back the jobs whose holder stopped: those whose lease ran out (a crash, a kill, a hang), and at once those of
 * a worker of this host that no longer exists (the one this process replaced after a crash), instead of waiting out
 * their leases (a card update blocking that handover's relays, say). One log line per job put back.
 */
export function sweepLeases(store: JobStore, logger: Logger, workerId: string, now: number): void {
  for (const expired of store.sweepExpiredLeases(now)) {
    logger.warn({ job: expired.id, kind: expired.kind, attempt: expired.attempts, state: expired.state, trace: expired.traceId },
      expired.state === 'dead' ? 'job lease expired on its last attempt; job is dead' : 'job lease expired; job will run again');
  }
  for (const gone of store.runningWorkers().filter((w) => w !== workerId && isGoneLocalWorker(w))) {
    for (const job of store.sweepWorker(gone, now)) {
      logger.warn({ job: job.id, kind: job.kind, attempt: job.attempts, state: job.state, trace: job.traceId, worker: gone },
        job.state === 'dead' ? 'job\'s worker is gone, on its last attempt; job is dead' : 'job\'s worker is gone; job will run again');
    }
  }
}
