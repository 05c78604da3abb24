import { maskPhone } from '../../observability/redact.js';
import type { Db } from '../../storage/open-db.js';
import { TraceLookupStore, type TracedMessage } from '../../storage/trace-lookup-store.js';
import { TraceStore, type StoredTraceEvent } from '../../storage/trace-store.js';
import { findMessage, type QueryKind } from './find-message.js';
import { buildTimeline, type TimelineStep } from './timeline.js';

export interface MessageView {
  id: number;
  tenant: string;
  direction: 'inbound' | 'outbound';
  type: string;
  /** Full only when the operator searched by this phone; masked otherwise. */
  phone: string;
  /** The customer's channel (whatsapp, instagram, telegram). */
  channel: string | null;
  contactName: string | null;
  wamid: string | null;
  body: string | null;
  deliveryStatus: string;
  deliveryError: string | null;
  outcome: string | null;
  traceId: string;
  createdAt: string;
}

export interface TraceReport {
  query: { text: string; kind: QueryKind; tenant: string | null };
  message: MessageView;
  /** The reply the query named, when the trace is of the customer message it answered. */
  asked: MessageView | null;
  /** Other customer messages answered in the same turn (sent in quick succession). */
  answeredTogetherWith: number[];
  /** For a phone: the customer's latest messages, newest first. */
  recent: MessageView[];
  steps: TimelineStep[];
}

/**
 * Everything the database knows about one message's path: its trace events, the jobs it caused, the handover it
 * opened and what managers did with it (the desk's own trace of it included), and the reply it got. When several quick messages were answered together,
 * the reply and its jobs carry the last message's trace id; they are followed through the reply and the handover.
 */
export function traceMessage(db: Db, text: string, options: { tenant?: string } = {}): TraceReport {
  const lookup = new TraceLookupStore(db);
  const traces = new TraceStore(db);
  const found = findMessage(lookup, text, options);
  const { message } = found;

  const events = placeLlmCalls(lookup, message, traces.forTrace(message.traceId));
  const replyIds = events.filter((e) => e.step === 'reply.queued').map((e) => Number(e.detail.outboundMessageId)).filter(Number.isFinite);
  const handoversOf = (step: string) => events.filter((e) => e.step === step).map((e) => Number(e.detail.handoverId)).filter(Number.isFinite);
  const opened = handoversOf('handover.opened');
  const handoverIds = [...new Set([...opened, ...handoversOf('turn.relayed')])];
  const replies = dedupe([
    ...lookup.byTrace([message.traceId]).filter((m) => m.direction === 'outbound'),
    ...lookup.byIds(replyIds),
    ...lookup.holdingRepliesOf(message.contactId, opened),
  ]);
  const replyIdSet = new Set(replies.map((m) => m.id));
  const otherTraces = [...new Set(replies.map((m) => m.traceId))].filter((t) => t !== message.traceId);
  // From the turn's trace, only the steps about our replies: its other steps repeat ours for its own message.
  const borrowed = otherTraces.flatMap((t) => traces.forTrace(t)).filter((e) => e.messageId !== null && replyIdSet.has(e.messageId));
  const together = lookup.byTrace(otherTraces).filter((m) => m.direction === 'inbound' && m.id !== message.id).map((m) => m.id);
  // The desk traces what happens to a handover (card, take, reminders, greeting, resolve) under `handover-<id>`.
  const deskTraces = opened.map((id) => `handover-${id}`);
  const desk = deskTraces.flatMap((t) => traces.forTrace(t));

  const steps = buildTimeline({
    events: [...events, ...borrowed, ...desk].sort((a, b) => a.at - b.at || a.id - b.id),
    jobs: lookup.jobsOf([message.traceId, ...otherTraces, ...deskTraces]),
    handoverEvents: lookup.handoverEvents(handoverIds),
    tenantSlug: message.tenantSlug,
  });
  const showPhone = found.kind === 'phone';
  return {
    query: { text, kind: found.kind, tenant: options.tenant ?? null },
    message: view(message, showPhone),
    asked: found.asked ? view(found.asked, showPhone) : null,
    answeredTogetherWith: together,
    recent: found.recent.map((m) => view(m, showPhone)),
    steps,
  };
}

/**
 * The turn traces its LLM calls after the brain decided, so their trace time is the end of the last one. The
 * llm_calls table keeps when each call started: use it, so retries and the backoff between them show as they were.
 * Matched by order, only when the counts agree (they are written in the same loop).
 */
function placeLlmCalls(lookup: TraceLookupStore, message: TracedMessage, events: StoredTraceEvent[]): StoredTraceEvent[] {
  const calls = events.filter((e) => e.step === 'llm.call');
  if (calls.length === 0) return events;
  const starts = lookup.llmCallStarts(message.contactId, message.createdAt, calls.at(-1)!.at).slice(-calls.length);
  if (starts.length !== calls.length) return events;
  const startOf = new Map(calls.map((e, i) => [e, starts[i]!]));
  return events.map((e) => (startOf.has(e) ? { ...e, at: startOf.get(e)! } : e));
}

function view(m: TracedMessage, showPhone: boolean): MessageView {
  return {
    id: m.id, tenant: m.tenantSlug, direction: m.direction, type: m.type, channel: m.channel ?? null, phone: showPhone ? m.contactPhone : String(maskPhone(m.contactPhone)),
    contactName: m.contactName, wamid: m.wamid, body: m.body, deliveryStatus: m.deliveryStatus, deliveryError: m.deliveryError, outcome: m.outcome,
    traceId: m.traceId, createdAt: new Date(m.createdAt).toISOString(),
  };
}

function dedupe(messages: TracedMessage[]): TracedMessage[] {
  return [...new Map(messages.map((m) => [m.id, m])).values()];
}
