import type { HandoverFacts } from '../storage/analytics-store.js';

/** Why a conversation was handed over, as the owner reads it; each groups one or more causes the brain records. */
export const REASONS = ['asked_for_human', 'no_knowledge', 'guardrail', 'llm_down', 'media', 'rate_cap', 'other'] as const;
export type Reason = (typeof REASONS)[number];

const BY_CAUSE: Record<string, Reason> = {
  model_handover: 'asked_for_human',
  no_knowledge: 'no_knowledge',
  unsupported_facts: 'guardrail',
  reveals_instructions: 'guardrail',
  wrong_language: 'guardrail',
  empty_reply: 'guardrail',
  llm_unavailable: 'llm_down',
  no_llm: 'llm_down',
  media: 'media',
  rate_cap: 'rate_cap',
};

export function reasonOf(cause: string | null): Reason {
  return (cause !== null && BY_CAUSE[cause]) || 'other';
}

export interface ReasonCount {
  reason: Reason;
  count: number;
}

/** Handovers counted by reason, most frequent first; reasons that did not occur are left out. */
export function countReasons(handovers: readonly HandoverFacts[]): ReasonCount[] {
  const counts = new Map<Reason, number>();
  for (const h of handovers) counts.set(reasonOf(h.cause), (counts.get(reasonOf(h.cause)) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason));
}
