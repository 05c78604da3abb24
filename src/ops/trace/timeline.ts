import type { StoredTraceEvent } from '../../storage/trace-store.js';
import type { TracedHandoverEvent, TracedJob } from '../../storage/trace-lookup-store.js';
import { hintForEvent, hintForJob } from './step-hints.js';

export interface TimelineStep {
  at: number;
  /** Milliseconds since the first step of the timeline. */
  sinceMs: number;
  step: string;
  outcome: 'ok' | 'error' | 'skipped' | 'vetoed';
  durationMs: number | null;
  summary: string;
  hint?: string;
  source: 'trace' | 'job' | 'handover';
  messageId?: number | null;
  jobId?: number | null;
}

type Draft = Omit<TimelineStep, 'sinceMs'>;

/**
 * Merges the three records of a message's path into one list in time order: trace events (what the code did),
 * job rows (queueing, attempts, last error) and handover events (who took and resolved it). Ties keep that order,
 * so "webhook.received" comes before the job it created in the same millisecond.
 */
export function buildTimeline(input: { events: StoredTraceEvent[]; jobs: TracedJob[]; handoverEvents: TracedHandoverEvent[]; tenantSlug: string }): TimelineStep[] {
  const drafts: Draft[] = [];
  for (const e of input.events) {
    drafts.push({
      at: e.at, step: e.step, outcome: e.outcome as Draft['outcome'], durationMs: e.durationMs, summary: summarize(e), hint: hintForEvent(e, input.tenantSlug),
      source: 'trace', messageId: e.messageId, jobId: e.jobId,
    });
  }
  for (const job of input.jobs) drafts.push(...jobSteps(job, input.tenantSlug));
  // A handover event the trace already tells (handover.opened for `created`, the desk's handover.taken…) is shown
  // once, from the trace, which says more (cause, wait); the table fills in what the trace lacks.
  const traced = new Map<string, number>();
  for (const e of input.events.filter((x) => x.step.startsWith('handover.'))) {
    const key = `${String(e.detail.handoverId)}:${e.step === 'handover.opened' ? 'created' : e.step.slice('handover.'.length)}`;
    traced.set(key, (traced.get(key) ?? 0) + 1);
  }
  for (const h of input.handoverEvents) {
    const key = `${h.handoverId}:${h.event}`;
    const left = traced.get(key) ?? 0;
    if (left > 0) {
      traced.set(key, left - 1);
      continue;
    }
    const actor = h.actorName ? `${h.actorKind} ${h.actorName}` : h.actorKind;
    drafts.push({
      at: h.at, step: `handover.${h.event}`, outcome: 'ok', durationMs: null, source: 'handover',
      summary: `request #${h.number}: ${h.fromState} → ${h.toState} by ${actor}${h.reason ? ` (${h.reason})` : ''}`,
    });
  }
  const ordered = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.at - b.d.at || a.i - b.i).map(({ d }) => d);
  const start = ordered[0]?.at ?? 0;
  return ordered.map((d) => ({ ...d, sinceMs: d.at - start }));
}

function jobSteps(job: TracedJob, tenantSlug: string): Draft[] {
  const base = { source: 'job' as const, jobId: job.id, durationMs: null };
  const attempt = `attempt ${job.attempts}/${job.maxAttempts}`;
  const steps: Draft[] = [{ ...base, at: job.createdAt, step: 'job.created', outcome: 'ok', summary: `#${job.id} ${job.kind}, due ${relative(job.runAt - job.createdAt)}` }];
  const earlier = job.lastError ? `; an earlier attempt failed: ${job.lastError}` : '';
  if (job.state === 'done') {
    steps.push({ ...base, at: job.finishedAt ?? job.updatedAt, step: 'job.done', outcome: 'ok', durationMs: (job.finishedAt ?? job.updatedAt) - job.createdAt, summary: `#${job.id} ${job.kind}, ${attempt}${earlier}` });
  } else if (job.state === 'dead') {
    steps.push({ ...base, at: job.finishedAt ?? job.updatedAt, step: 'job.dead', outcome: 'error', summary: `#${job.id} ${job.kind}, ${attempt}: ${job.lastError ?? 'no error recorded'}`, hint: hintForJob(job, tenantSlug) });
  } else if (job.state === 'running') {
    steps.push({ ...base, at: job.updatedAt, step: 'job.running', outcome: 'ok', summary: `#${job.id} ${job.kind}, ${attempt}, lease until ${iso(job.lockedUntil)}${earlier}` });
  } else if (job.attempts > 0) {
    steps.push({ ...base, at: job.updatedAt, step: 'job.failed', outcome: 'error', summary: `#${job.id} ${job.kind}, ${attempt}: ${job.lastError ?? 'no error recorded'}; next try ${iso(job.runAt)}`, hint: hintForJob(job, tenantSlug) });
  }
  return steps;
}

/** One line of what a trace step says, from its detail. */
function summarize(e: StoredTraceEvent): string {
  const d = e.detail;
  switch (e.step) {
    case 'webhook.received':
      return `${str(d.kind)} ${str(d.wamid)}`;
    case 'message.read':
      return `#${str(d.message)} ${str(d.kind)}: ${str(d.read)}${d.chars !== undefined ? ` (${str(d.chars)} chars)` : ''}`;
    case 'knowledge.search': {
      if (Array.isArray(d.chunks)) return summarizeRetrieval(d);
      // Traces written before retrieval modes: a list of snippet titles.
      const snippets = Array.isArray(d.snippets) ? (d.snippets as unknown[]).map(String) : [];
      return `${snippets.length} snippet(s)${snippets.length ? `: ${snippets.slice(0, 3).join('; ')}` : ''}${d.faq ? ', exact FAQ match' : ''}`;
    }
    case 'knowledge.embeddings':
      return `the question's embedding failed, answered from words alone: ${str(d.error)}`;
    case 'llm.call':
      return e.outcome === 'error' ? `${str(d.model)} failed: ${str(d.error)}` : `${str(d.model)} answered`;
    case 'reply.queued':
      return d.outboundMessageId !== undefined ? `reply #${str(d.outboundMessageId)} (${str(d.length)} chars)` : `template ${str(d.template)}`;
    case 'reply.sent':
      return `#${str(e.messageId)} accepted as ${str(d.wamid)}, attempt ${str(d.attempt)}`;
    case 'reply.failed':
      return `#${str(e.messageId)} attempt ${str(d.attempt)}: ${str(d.message ?? d.error)}`;
    case 'handover.opened':
      return `request #${str(d.number)} (${str(d.cause)}): ${str(d.reason)}`;
    case 'handover.taken':
    case 'handover.reassigned':
      return `by ${str(d.manager)}, ${seconds(d.waitMs)} after it opened`;
    case 'handover.resolved':
      return `by ${str(d.manager)}, ${seconds(d.durationMs)} after it opened`;
    case 'handover.released':
      return `by ${str(d.manager)}: back to the queue`;
    case 'manager.replied':
      return `${str(d.manager)} answered through the desk${d.firstResponse ? ' (first response)' : ''}`;
    case 'desk.card_posted':
      return `card for request in chat ${str(d.chatId)}${d.threadId ? `, topic ${str(d.threadId)}` : ''}`;
    case 'desk.reminder':
      return `reminder ${str(d.n)} (${str(d.reminder)}) after ${str(d.minutes)} min`;
    case 'turn.relayed':
      return `to the managers (conversation ${str(d.state)})${d.notice ? ', "a manager is on it" sent' : ''}`;
    case 'turn.ignored':
      return str(d.reason);
    case 'contact.profile':
      return `${str(d.channel)} profile: ${str(d.outcome)}${d.error ? ` (${str(d.error)})` : ''}`;
    default:
      if (e.step.startsWith('guardrail.')) return `${e.outcome}${d.detail ? `: ${str(d.detail)}` : ''}`;
      if (e.step.startsWith('delivery.')) return `#${str(e.messageId)}${d.error ? `: ${JSON.stringify(d.error)}` : ''}${e.outcome === 'skipped' ? ' (already further along)' : ''}`;
      return Object.keys(d).length ? JSON.stringify(d) : '';
  }
}

const MODE_NAMES: Record<string, string> = { whole: 'whole knowledge', hybrid: 'hybrid (words + meaning)', lexical: 'words alone (no embeddings configured)', lexical_fallback: 'words alone (embeddings failed)' };

/** `hybrid (words + meaning): 12 chunks, prompt 2,104 tokens (knowledge 98,619 > budget 16,000); best: a 0.03, b 0.02` */
function summarizeRetrieval(d: Record<string, unknown>): string {
  const chunks = d.chunks as { title?: unknown; score?: unknown }[];
  const total = chunks.length + (typeof d.moreChunks === 'number' ? d.moreChunks : 0);
  const knowledge = Number(d.knowledgeTokens);
  const budget = Number(d.budgetTokens);
  const parts = [
    `${MODE_NAMES[String(d.mode)] ?? str(d.mode)}: ${total} chunk(s), prompt ${str(d.promptTokens)} tokens (knowledge ${knowledge} ${knowledge <= budget ? '≤' : '>'} budget ${budget})`,
  ];
  if (Number(d.toc) > 0) parts.push(`table of contents ${str(d.toc)} titles`);
  const scored = chunks.filter((c) => typeof c.score === 'number').slice(0, 3);
  if (scored.length) parts.push(`best: ${scored.map((c) => `${str(c.title)} ${str(c.score)}`).join('; ')}`);
  else if (chunks.length && d.mode !== 'whole') parts.push(`first: ${chunks.slice(0, 3).map((c) => str(c.title)).join('; ')}`);
  if (d.faq) parts.push('exact FAQ match');
  return parts.join('; ');
}

function str(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function iso(at: number | null): string {
  return at === null ? '-' : new Date(at).toISOString();
}

function seconds(ms: unknown): string {
  return typeof ms === 'number' ? `${Math.round(ms / 1000)} s` : '-';
}

function relative(ms: number): string {
  return ms <= 0 ? 'now' : `in ${(ms / 1000).toFixed(1)} s`;
}
