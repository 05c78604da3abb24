import type { Logger } from '../observability/logger.js';
import { DEFAULT_POLICY, type RetryPolicy } from './retry-policy.js';
import type { Job } from './types.js';

export interface JobContext {
  /** Aborted when the job times out or the worker stops; pass it to fetch and SDK calls. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

export interface JobKind {
  handler: JobHandler;
  policy: RetryPolicy;
  /** Claimed before other due jobs: it finishes work somebody is waiting for (a written reply, a manager's card). */
  first: boolean;
}

export interface KindOptions extends Partial<RetryPolicy> {
  first?: boolean;
}

/** Job kinds this worker can run, with their retry policies. A worker claims only kinds it knows. */
export class JobRegistry {
  private readonly kinds = new Map<string, JobKind>();

  register(kind: string, handler: JobHandler, options: KindOptions = {}): this {
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} is registered twice`);
    const { first = false, ...policy } = options;
    this.kinds.set(kind, { handler, policy: { ...DEFAULT_POLICY, ...policy }, first });
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

  /** Kinds claimed before the others (registered with `first: true`). */
  firstNames(): string[] {
    return [...this.kinds].filter(([, k]) => k.first).map(([name]) => name);
  }
}
