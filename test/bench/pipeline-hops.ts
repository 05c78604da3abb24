import type Database from 'better-sqlite3';
import { contentText } from '../../src/simulators/openai/completion.js';
import type { PipelineSims } from './pipeline-sims.js';
import { summary } from './stats.js';

/** One customer conversation of a pipeline run: its marker travels in the text, so the LLM request names it. */
export interface Conversation {
  index: number;
  wamid: string;
  phone: string;
}

export interface Hops {
  /** Conversations with every timestamp both hops need. */
  measured: number;
  /** Webhook committed (+ the debounce, a deliberate wait) → the LLM simulator received the request. */
  webhookToLlm: ReturnType<typeof summary>;
  /** …of which: due → the job's first remote call (mark-read at Graph): waiting for the poll and a free slot. */
  dueToStart: ReturnType<typeof summary>;
  /** …and: mark-read → LLM request (loading the turn, knowledge search, prompt). */
  startToLlm: ReturnType<typeof summary>;
  /** The LLM simulator wrote its answer → the Graph simulator received the reply. */
  llmToSend: ReturnType<typeof summary>;
  /** …of which: answer → reply committed and its send job enqueued (guardrails, transaction). */
  answerToQueued: ReturnType<typeof summary>;
  /** …and: send job enqueued → Graph received it (the job runner claiming it, credentials, HTTP). */
  queuedToSend: ReturnType<typeof summary>;
}

const MARKER = /#(\d\d(?:\.\d\d)*)\s*$/;

/**
 * The conversation's number as the customer's text ends with it, so the LLM request names its conversation:
 * `#01.23.45`. Two-digit groups because the fake LLM ignores words under 3 characters (a longer number would count
 * as a topic word and change its answer), and the search only ORs them in as exact numbers.
 */
export function marker(index: number): string {
  const digits = String(index).padStart(String(index).length + (String(index).length % 2), '0');
  return `#${digits.match(/\d\d/g)!.join('.')}`;
}

/**
 * Joins the worker's trace_events (webhook.received, reply.queued) with what the simulators received (mark-read,
 * LLM request and answer, the reply's send) per conversation, and summarises both hops of our own overhead.
 */
export function measureHops(db: Database.Database, sims: PipelineSims, conversations: readonly Conversation[], since: { messageId: number; at: number }, debounceMs: number): Hops {
  const byWamid = new Map(conversations.map((c) => [c.wamid, c]));
  const byPhone = new Map(conversations.map((c) => [c.phone, c]));
  const byIndex = new Map(conversations.map((c) => [c.index, c]));
  // Two range reads (messages by id, trace_events by its `at` index) joined here: trace_events has no index on
  // message_id, and a correlated lookup per conversation would scan it thousands of times.
  const inbound = new Map((db.prepare("SELECT id, provider_message_id AS wamid FROM messages WHERE id > ? AND direction = 'inbound'").all(since.messageId) as { id: number; wamid: string }[]).map((r) => [r.id, r.wamid]));
  const events = db.prepare("SELECT message_id AS messageId, step, at FROM trace_events WHERE at >= ? AND step IN ('webhook.received', 'reply.queued') ORDER BY id").all(since.at) as { messageId: number | null; step: string; at: number }[];

  const at = new Map<Conversation, { webhook?: number; queued?: number; read?: number; llm?: number; answer?: number; send?: number }>();
  const slot = (c: Conversation) => at.get(c) ?? at.set(c, {}).get(c)!;
  for (const e of events) {
    const c = e.messageId === null ? undefined : byWamid.get(inbound.get(e.messageId) ?? '');
    if (!c) continue;
    const t = slot(c);
    if (e.step === 'webhook.received' && t.webhook === undefined) t.webhook = e.at;
    if (e.step === 'reply.queued' && t.queued === undefined) t.queued = e.at;
  }
  for (const read of sims.graph.reads) {
    const c = byWamid.get(read.messageId);
    if (c && slot(c).read === undefined) slot(c).read = read.at;
  }
  for (const request of sims.llm.requests) {
    const last = [...request.body.messages].reverse().find((m) => m.role === 'user');
    const index = MARKER.exec(last ? contentText(last.content) : '')?.[1];
    const c = index === undefined ? undefined : byIndex.get(Number(index.replaceAll('.', '')));
    const answered = sims.answeredAt.get(request);
    if (c && slot(c).llm === undefined) Object.assign(slot(c), { llm: request.receivedAt.getTime(), answer: answered });
  }
  for (const send of sims.graph.sends) {
    const c = byPhone.get(String(send.body.to));
    if (c && slot(c).send === undefined) slot(c).send = send.at;
  }

  const series = { webhookToLlm: [] as number[], dueToStart: [] as number[], startToLlm: [] as number[], llmToSend: [] as number[], answerToQueued: [] as number[], queuedToSend: [] as number[] };
  let measured = 0;
  for (const t of at.values()) {
    if (t.webhook === undefined || t.read === undefined || t.llm === undefined || t.answer === undefined || t.send === undefined || t.queued === undefined) continue;
    measured++;
    const due = t.webhook + debounceMs;
    series.webhookToLlm.push(t.llm - due);
    series.dueToStart.push(t.read - due);
    series.startToLlm.push(t.llm - t.read);
    series.llmToSend.push(t.send - t.answer);
    series.answerToQueued.push(t.queued - t.answer);
    series.queuedToSend.push(t.send - t.queued);
  }
  return {
    measured,
    webhookToLlm: summary(series.webhookToLlm), dueToStart: summary(series.dueToStart), startToLlm: summary(series.startToLlm),
    llmToSend: summary(series.llmToSend), answerToQueued: summary(series.answerToQueued), queuedToSend: summary(series.queuedToSend),
  };
}
