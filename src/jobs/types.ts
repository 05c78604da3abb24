/** A job to enqueue. `concurrencyKey` serialises jobs (usually `contact:<id>`); `uniqueKey` replaces a pending twin. */
export interface JobSpec {
  kind: string;
  payload?: Record<string, unknown>;
  tenantId?: number | null;
  concurrencyKey?: string | null;
  uniqueKey?: string | null;
  /** Earliest time to run (epoch ms); now when absent. */
  runAt?: number;
  traceId?: string | null;
  maxAttempts?: number;
}

export type JobState = 'pending' | 'running' | 'done' | 'dead';

export interface Job {
  id: number;
  kind: string;
  tenantId: number | null;
  payload: Record<string, unknown>;
  concurrencyKey: string | null;
  uniqueKey: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lockedUntil: number | null;
  lockedBy: string | null;
  lastError: string | null;
  traceId: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}
