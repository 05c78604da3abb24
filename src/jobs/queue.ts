import type { JobStore } from '../storage/job-store.js';
import type { JobRegistry } from './registry.js';
import type { JobSpec } from './types.js';

/**
 * Enqueues jobs on the caller's connection: call it inside the transaction that stores what the job is about,
 * so both commit or neither does. Listeners (the runner) are woken after the current tick, once the caller's
 * transaction has finished. A queue without a registry (the CLI's) enqueues jobs with no lane: the worker's runner
 * gives them theirs at its next pass.
 */
export class Queue {
  private readonly listeners = new Set<() => void>();
  private wakeScheduled = false;

  constructor(
    private readonly store: JobStore,
    private readonly registry: JobRegistry | null,
    private readonly clock: () => number = Date.now,
  ) {}

  enqueue(spec: JobSpec): number {
    const maxAttempts = spec.maxAttempts ?? this.registry?.policy(spec.kind).maxAttempts ?? 8;
    const kind = this.registry?.get(spec.kind);
    const id = this.store.enqueue({ ...spec, maxAttempts }, this.clock(), { lane: kind?.lane ?? null, first: kind?.first ?? false });
    this.scheduleWake();
    return id;
  }

  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleWake(): void {
    if (this.wakeScheduled || this.listeners.size === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
