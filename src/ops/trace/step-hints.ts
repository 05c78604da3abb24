import { classifyGraphError } from '../../channels/whatsapp/error-table.js';
import { LLM_HINTS, llmFailureOf } from '../../observability/llm-failure.js';
import type { StoredTraceEvent } from '../../storage/trace-store.js';
import type { TracedJob } from '../../storage/trace-lookup-store.js';

/**
 * What the operator should do about a step, derived from what the trace stored. Errors always get one (the
 * stored hint when the step kept it, else one read back from the error); escalations get the fix for their cause.
 */
export function hintForEvent(event: StoredTraceEvent, tenantSlug: string): string | undefined {
  const d = event.detail;
  if (event.step === 'llm.call' && event.outcome === 'error') return LLM_HINTS[llmFailureOf(d.error)];
  if (event.step === 'reply.failed') {
    if (typeof d.hint === 'string' && d.hint) return d.hint;
    return 'WhatsApp did not answer: the send is retried with backoff; if it lasts, check WHATSAPP_GRAPH_URL and the network (botctl doctor)';
  }
  if (event.step.startsWith('delivery.') && event.outcome === 'error') {
    const error = d.error as { code?: unknown; title?: unknown } | undefined;
    if (typeof error?.code === 'number') return classifyGraphError(400, { error: { code: error.code, message: String(error.title ?? '') } }).hint;
    return 'WhatsApp reported the message undelivered without a code: check the number with the customer';
  }
  if (event.step === 'knowledge.embeddings') return 'the embeddings API (BOTCTL_EMBEDDING_BASE_URL, else OPENAI_BASE_URL) failed or was slower than BOTCTL_EMBEDDING_TIMEOUT_MS: this turn used the word ranking; botctl kb embed <slug> shows the API\'s error'.replaceAll('<slug>', tenantSlug);
  if (event.step === 'handover.opened') return CAUSE_HINTS[String(d.cause)]?.replaceAll('<slug>', tenantSlug);
  if (event.step === 'turn.ignored' && String(d.reason).includes('disabled')) return `the tenant is disabled: botctl tenant enable ${tenantSlug}`;
  if (event.outcome === 'error') return 'see botctl logs --trace <trace id> for the worker\'s lines about this step';
  return undefined;
}

const CAUSE_HINTS: Record<string, string> = {
  llm_unavailable: 'the LLM kept failing until the answer deadline (see the llm.call lines): fix the provider, managers answer meanwhile',
  no_llm: 'no LLM is configured: set OPENAI_API_KEY (botctl config check), or add exact FAQ answers with botctl kb add <slug> faq.csv',
  no_knowledge: 'the knowledge base has nothing on this: if the bot should answer it, add it with botctl kb add <slug> <file>',
  unsupported_facts: 'the reply stated facts missing from the knowledge base: if they are true, add them with botctl kb add <slug> <file>',
  rate_cap: 'the customer reached the hourly cap of bot answers: botctl tenant update <slug> --llm-calls-per-hour N raises it',
  wrong_language: 'the model answered in another language: make the language rule explicit with botctl prompt edit <slug>',
  reveals_instructions: 'the model was about to reveal its instructions (prompt injection?): nothing to fix unless it repeats',
  empty_reply: 'the model answered nothing: check BOTCTL_LLM_MODEL, or the prompt (botctl prompt show <slug>)',
};

/** A job that failed: the fix its error carried (`(fix: …)`, written by the runner), else what the state implies. */
export function hintForJob(job: TracedJob, tenantSlug: string): string | undefined {
  if (!job.lastError) return job.state === 'dead' ? `fix the cause, then botctl jobs retry ${job.id}` : undefined;
  const carried = /\(fix: (.+)\)\s*$/.exec(job.lastError)?.[1]?.replaceAll('<slug>', tenantSlug);
  if (job.state === 'dead') return `${carried ? `${carried}; then ` : 'fix the cause, then '}botctl jobs retry ${job.id}`;
  if (job.state === 'pending') return carried ?? `it is retried by itself at ${new Date(job.runAt).toISOString()}; botctl jobs show ${job.id}`;
  return carried;
}
