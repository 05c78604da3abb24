import { setTimeout as sleep } from 'node:timers/promises';
import type { TurnContext } from './context.js';
import { toWhatsappText } from './guardrails/format.js';
import { unsupportedFacts } from './guardrails/facts.js';
import { revealsInstructions } from './guardrails/leak.js';
import { isSmallTalk } from './guardrails/small-talk.js';
import { dominantScript, scriptOf } from './language.js';
import { LlmError, type LlmPort, type LlmResult } from './llm.js';
import { BOOKING_TOOL_NAME, bookingTool, checkBookingArguments, type BookingArguments, type BookingField } from './booking-tool.js';
import { inventsDiscount, offersQuoted } from '../sales/offers.js';
import { assembleMessages, factSources, HANDOVER_TOOL, instructionsFor } from './prompt-assembly.js';

export interface BrainPolicy {
  /** One LLM call may take this long. */
  callTimeoutMs: number;
  /** All attempts of one turn together may take this long; then the customer gets a holding reply. */
  deadlineMs: number;
}

export const DEFAULT_BRAIN_POLICY: BrainPolicy = { callTimeoutMs: 20_000, deadlineMs: 45_000 };

/** A guardrail's word on a turn, kept for `botctl trace` and `botctl chat`. */
export interface Verdict {
  check: string;
  ok: boolean;
  detail?: string;
}

export type EscalationCause = 'offer_not_allowed' | 'model_handover' | 'no_knowledge' | 'unsupported_facts' | 'reveals_instructions' | 'wrong_language' | 'empty_reply' | 'llm_unavailable' | 'no_llm';

export type Decision =
  | { kind: 'reply'; text: string; verdicts: Verdict[]; llmCalls: LlmCallRecord[]; offersMade?: number[] }
  /** The model passed a booking request whose arguments passed the check: the managers decide, never the bot. */
  | { kind: 'booking'; request: BookingArguments; verdicts: Verdict[]; llmCalls: LlmCallRecord[] }
  /** The model wanted to book, but something is missing: the bot asks the customer for it. */
  | { kind: 'booking_incomplete'; missing: BookingField[]; verdicts: Verdict[]; llmCalls: LlmCallRecord[] }
  | { kind: 'escalate'; cause: EscalationCause; reason: string; summary: string | null; verdicts: Verdict[]; llmCalls: LlmCallRecord[] };

export interface LlmCallRecord {
  at: number;
  durationMs: number;
  outcome: 'ok' | 'error' | 'timeout';
  error: string | null;
}

/**
 * Decides one turn: answer (after every guardrail passed) or hand over with the reason. Never throws for an
 * LLM failure: after the deadline the decision is an escalation, so the customer is never left in silence.
 */
export class Brain {
  constructor(
    private readonly llm: LlmPort | null,
    private readonly policy: BrainPolicy = DEFAULT_BRAIN_POLICY,
    private readonly clock: () => number = Date.now,
  ) {}

  async decide(context: TurnContext, signal: AbortSignal): Promise<Decision> {
    const verdicts: Verdict[] = [];
    const llmCalls: LlmCallRecord[] = [];
    const escalate = (cause: EscalationCause, reason: string, summary: string | null = null): Decision => ({ kind: 'escalate', cause, reason, summary, verdicts, llmCalls });
    const question = context.newMessages.join('\n');
    const smallTalk = isSmallTalk(question);

    if (!this.llm) {
      // Without a model the extractive path decides, as before: nothing the question's words match → a manager.
      const grounded = context.lexicalHits > 0 || mentionsPrompt(question, context.tenantPrompt);
      verdicts.push({ check: 'relevance', ok: grounded || smallTalk, detail: `${context.lexicalHits} matching chunks${smallTalk ? ', small talk' : ''}` });
      if (!grounded && !smallTalk) return escalate('no_knowledge', 'the knowledge base has nothing on this question');
      if (context.faqAnswer) {
        verdicts.push({ check: 'extractive', ok: true, detail: 'exact FAQ match' });
        return { kind: 'reply', text: toWhatsappText(context.faqAnswer), verdicts, llmCalls };
      }
      verdicts.push({ check: 'extractive', ok: false, detail: 'no exact FAQ match' });
      return escalate('no_llm', 'no LLM is configured and the knowledge base has no exact answer');
    }
    // With a model, the model decides whether the knowledge it was given answers the question (its handover tool);
    // the guardrails below still veto every fact that is not in that knowledge.

    let result: LlmResult;
    try {
      result = await this.callWithinDeadline(context, signal, llmCalls);
    } catch (err) {
      if (signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      verdicts.push({ check: 'llm', ok: false, detail: message });
      if (context.faqAnswer) {
        verdicts.push({ check: 'extractive', ok: true, detail: 'LLM unavailable; exact FAQ match' });
        return { kind: 'reply', text: toWhatsappText(context.faqAnswer), verdicts, llmCalls };
      }
      return escalate('llm_unavailable', `the LLM is unavailable: ${message}`);
    }

    const handover = result.toolCalls.find((call) => call.name === HANDOVER_TOOL.name);
    if (handover) {
      const reason = typeof handover.arguments.reason === 'string' && handover.arguments.reason.trim() ? handover.arguments.reason.trim() : 'the bot asked for a manager';
      const summary = typeof handover.arguments.summary === 'string' ? handover.arguments.summary.trim() : null;
      verdicts.push({ check: 'model', ok: false, detail: `handover: ${reason}` });
      return escalate('model_handover', reason, summary);
    }

    const booking = context.services?.length ? result.toolCalls.find((call) => call.name === BOOKING_TOOL_NAME) : undefined;
    if (booking) {
      const check = checkBookingArguments(booking.arguments, context.services!, context.timezone ? { now: this.clock(), timezone: context.timezone } : undefined);
      verdicts.push({ check: 'booking', ok: check.ok, detail: check.ok ? `${check.request.service} · ${check.request.preferredTime}` : `missing ${check.missing.join(', ')}` });
      return check.ok ? { kind: 'booking', request: check.request, verdicts, llmCalls } : { kind: 'booking_incomplete', missing: check.missing, verdicts, llmCalls };
    }

    const text = toWhatsappText(result.content ?? '');
    if (!text) return escalate('empty_reply', 'the LLM gave an empty answer');

    const violations = unsupportedFacts(text, factSources(context));
    verdicts.push({ check: 'facts', ok: violations.length === 0, detail: violations.map((v) => `${v.kind} ${v.value}`).join(', ') || undefined });
    if (violations.length > 0) {
      return escalate('unsupported_facts', `the reply stated facts not in the knowledge base: ${violations.map((v) => `${v.kind} "${v.value}"`).join(', ')}`);
    }
    // A discount is backed only by an offer quoted word for word, or by the knowledge itself (not by an offer's words
    // reused in an invented promise).
    const quoted = offersQuoted(text, context.allOffers ?? []);
    if (quoted.length === 0 && inventsDiscount(text, factSources({ ...context, allOffers: [] }))) {
      verdicts.push({ check: 'offers', ok: false, detail: 'a discount that is in no offer or knowledge' });
      return escalate('unsupported_facts', 'the reply promised a discount that is not in the tenant\'s offers or knowledge');
    }
    const allowed = new Set((context.offers ?? []).map((o) => o.id));
    const refused = quoted.filter((o, i) => !allowed.has(o.id) || i > 0); // one offer at a time
    verdicts.push({ check: 'offers', ok: refused.length === 0, detail: quoted.length ? `quoted ${quoted.map((o) => `#${o.id}`).join(', ')}` : undefined });
    // Once per conversation, never to a complaining customer: an offer outside what this turn allows is vetoed.
    if (refused.length > 0) return escalate('offer_not_allowed', `the reply repeated an offer not allowed now (#${refused.map((o) => o.id).join(', #')}: already made in this conversation, or the customer is complaining)`);
    const leak = revealsInstructions(text, instructionsFor(context), context.tenantPrompt);
    verdicts.push({ check: 'instructions', ok: !leak });
    if (leak) return escalate('reveals_instructions', 'the reply would have revealed the bot\'s instructions');

    const script = dominantScript(text);
    const expected = scriptOf(context.language);
    verdicts.push({ check: 'language', ok: script === null || script === expected, detail: `${script ?? 'none'} for ${context.language}` });
    if (script !== null && script !== expected) return escalate('wrong_language', `the reply was not in the customer's language (${context.language})`);

    return { kind: 'reply', text, verdicts, llmCalls, ...(quoted.length ? { offersMade: quoted.slice(0, 1).map((o) => o.id) } : {}) };
  }

  /** Calls the LLM, retrying timeouts, 429 and 5xx with backoff until the turn's deadline. */
  private async callWithinDeadline(context: TurnContext, signal: AbortSignal, calls: LlmCallRecord[]): Promise<LlmResult> {
    const llm = this.llm!;
    const deadline = Math.min(this.clock(), context.startedAt ?? Infinity) + this.policy.deadlineMs;
    const messages = assembleMessages(context);
    const tools = context.services?.length ? [HANDOVER_TOOL, bookingTool(context.services)] : [HANDOVER_TOOL];
    for (let attempt = 1; ; attempt++) {
      const left = deadline - this.clock();
      const started = this.clock();
      try {
        const result = await llm.complete({ messages, tools }, { signal, timeoutMs: Math.max(1, Math.min(this.policy.callTimeoutMs, left)) });
        calls.push({ at: started, durationMs: this.clock() - started, outcome: 'ok', error: null });
        return result;
      } catch (err) {
        if (signal.aborted) throw err;
        const llmError = err instanceof LlmError ? err : new LlmError('network', String(err));
        calls.push({ at: started, durationMs: this.clock() - started, outcome: llmError.failure === 'timeout' ? 'timeout' : 'error', error: llmError.message });
        const wait = Math.max(llmError.retryAfterMs ?? 0, Math.min(4000, 250 * 2 ** (attempt - 1)) * Math.random());
        if (!llmError.retryable || this.clock() + wait >= deadline - 50) throw llmError;
        await sleep(wait, undefined, { signal });
      }
    }
  }
}

/** True when the question shares a meaningful word with the tenant's prompt (facts may live there). */
function mentionsPrompt(question: string, prompt: string): boolean {
  if (!prompt.trim()) return false;
  // Five-letter prefixes, so Russian and Kazakh word forms ("адрес", "адресу") still meet.
  const words = (text: string) => new Set(text.toLowerCase().replaceAll('ё', 'е').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 5).map((w) => w.slice(0, 5)));
  const promptWords = words(prompt);
  for (const word of words(question)) if (promptWords.has(word)) return true;
  return false;
}
