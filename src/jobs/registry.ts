import type { Logger } from '../observability/logger.js';
import type { BudgetNeed } from './budgets.js';
import { DEFAULT_LANE, type Lane } from './lanes.js';
import { DEFAULT_POLICY, type RetryPolicy } from './retry-policy.js';
import type { Job } from './types.js';

export interface JobContext {
  /** Aborted when the job times out or the worker stops; pass it to fetch and SDK calls. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

/** The rate budgets a job needs before it may start (its destinations); an empty list for none. */
export type BudgetOf = (job: Job) => BudgetNeed[];

export interface JobKind {
  handler: JobHandler;
  policy: RetryPolicy;
  lane: Lane;
  /** Claimed before the other jobs of its lane: it finishes work somebody is waiting for (a card, an alert). */
  first: boolean;
  budget: BudgetOf | null;
}

export interface KindOptions extends Partial<RetryPolicy> {
  first?: boolean;
  lane?: Lane;
  budget?: BudgetOf;
}

/**
 * Job kinds this worker can run, with their lane, retry policy and rate budget. A worker claims only kinds it knows.
 * The worker fills it from one table (src/worker/job-table.ts); `register` is what that table calls per row.
 */
export class JobRegistry {
  private readonly kinds = new Map<string, JobKind>();

  register(kind: string, handler: JobHandler, options: KindOptions = {}): this {
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} is registered twice`);
    const { first = false, lane = DEFAULT_LANE, budget, ...policy } = options;
    this.kinds.set(kind, { handler, policy: { ...DEFAULT_POLICY, ...policy }, first, lane, budget: budget ?? null });
    return this;
  }

  get(kind: string): JobKind | undefined {
    return this.kinds.get(kind);
  }

  policy(kind: string): RetryPolicy {
    return this.kinds.get(kind)?.policy ?? DEFAULT_POLICY;
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  /** The lane of a registered kind; null for a kind this worker does not run. */
  lane(kind: string): Lane | null {
    return this.kinds.get(kind)?.lane ?? null;
  }

  /** Registered kinds of one lane. */
  namesIn(lane: Lane): string[] {
    return [...this.kinds].filter(([, k]) => k.lane === lane).map(([name]) => name);
  }

  /** Kinds claimed before the others of their lane (registered with `first: true`). */
  firstNames(): string[] {
    return [...this.kinds].filter(([, k]) => k.first).map(([name]) => name);
  }
}
