import { queryTerms } from '../knowledge/normalize.js';
import type { HandoverFacts } from '../storage/analytics-store.js';

/** Two questions are "the same" when this share of their words (stemmed, stop words out) match (Dice coefficient). */
export const SIMILARITY = 0.5;

/** A group of similar questions the bot handed over because its knowledge had no answer. */
export interface KnowledgeGap {
  /** The newest question of the group, as the customer wrote it. */
  question: string;
  count: number;
  lastAskedAt: number;
  firstAskedAt: number;
  /** Other wordings in the group (distinct, newest first, at most 5). */
  examples: string[];
  /** The requests' numbers, newest first, so the owner can read those conversations. */
  requests: { number: number; contactId: number; at: number }[];
}

function signature(text: string): string[] {
  return queryTerms(text).map((t) => t.stem);
}

/** Stems match when equal, or when one is a prefix of the other and both have at least 4 letters (чистк, чистка). */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  return a.length >= 4 && b.length >= 4 && (a.startsWith(b) || b.startsWith(a));
}

export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  let shared = 0;
  const used = new Set<number>();
  for (const word of a) {
    const j = b.findIndex((other, index) => !used.has(index) && sameWord(word, other));
    if (j >= 0) {
      used.add(j);
      shared++;
    }
  }
  return (2 * shared) / (a.length + b.length);
}

/**
 * Knowledge gaps: the questions of no-knowledge handovers grouped by similarity and counted, groups ordered by their
 * newest question. `handovers` must be newest first (AnalyticsStore.knowledgeGaps). Each question joins the first
 * group whose newest question is similar enough, so a group never drifts away from the wording the owner sees.
 */
export function knowledgeGaps(handovers: readonly HandoverFacts[]): KnowledgeGap[] {
  const groups: (KnowledgeGap & { signature: string[] })[] = [];
  for (const h of handovers) {
    const text = h.question?.trim();
    if (!text) continue;
    const sig = signature(text);
    const group = groups.find((g) => similarity(g.signature, sig) >= SIMILARITY);
    const request = { number: h.number, contactId: h.contactId, at: h.createdAt };
    if (!group) {
      groups.push({ question: text, count: 1, lastAskedAt: h.createdAt, firstAskedAt: h.createdAt, examples: [], requests: [request], signature: sig });
      continue;
    }
    group.count++;
    group.firstAskedAt = Math.min(group.firstAskedAt, h.createdAt);
    group.requests.push(request);
    if (text !== group.question && !group.examples.includes(text) && group.examples.length < 5) group.examples.push(text);
  }
  return groups.map(({ signature: _s, ...g }) => g);
}
