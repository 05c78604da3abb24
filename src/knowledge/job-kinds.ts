/** Job kinds of the knowledge base. Run by their row of the worker's job table (src/worker/job-table.ts). */
export const KNOWLEDGE_JOB = {
  embed: 'kb.embed', // { } with tenantId: embed the tenant's chunks that lack a vector of the configured model
} as const;

/** One pending embed job per tenant: a second import while one waits replaces it instead of queueing a twin. */
export const embedKey = (tenantId: number) => `kb.embed:${tenantId}`;
