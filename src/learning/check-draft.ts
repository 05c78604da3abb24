import { unsupportedFacts, type FactViolation } from '../brain/guardrails/facts.js';
import { findCustomerDetails, scrubCustomerDetails, type CustomerDetails } from './customer-details.js';
import type { DraftEntry } from './entries.js';

export type DraftCheck =
  | { ok: true; entry: DraftEntry }
  | { ok: false; reason: 'changed_facts'; facts: FactViolation[]; entry: DraftEntry }
  | { ok: false; reason: 'customer_details'; details: string[]; entry: DraftEntry }
  | { ok: false; reason: 'empty'; entry: DraftEntry };

/**
 * Whether a drafted entry may become knowledge. First the customer's details are taken out of it; then the facts
 * guardrail (the same one that checks the bot's answers) checks the answer against the manager's own words: a price,
 * phone, time, address, link or e-mail the manager did not write is a changed fact, and the draft is refused. The
 * question is checked against the whole conversation (the customer may name a number the manager did not repeat).
 */
export function checkDraft(draft: DraftEntry, sources: { managerWords: readonly string[]; conversation: readonly string[] }, details: CustomerDetails): DraftCheck {
  const entry = { question: scrubCustomerDetails(draft.question, details), answer: scrubCustomerDetails(draft.answer, details) };
  if (!entry.question || !entry.answer) return { ok: false, reason: 'empty', entry };
  const facts = [
    ...unsupportedFacts(entry.answer, sources.managerWords),
    ...unsupportedFacts(entry.question, [...sources.conversation, ...sources.managerWords]),
  ];
  if (facts.length > 0) return { ok: false, reason: 'changed_facts', facts, entry };
  const left = [...findCustomerDetails(entry.question, details), ...findCustomerDetails(entry.answer, details)];
  if (left.length > 0) return { ok: false, reason: 'customer_details', details: left, entry };
  return { ok: true, entry };
}

/** A manager's own corrected text (Edit): "question\nanswer" or "question? answer", else the answer alone. */
export function parseCorrection(text: string, current: DraftEntry | null): DraftEntry | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const lines = trimmed.split(/\n+/).map((l) => l.trim()).filter(Boolean);
  if (lines.length >= 2 && lines[0]!.endsWith('?')) return { question: lines[0]!, answer: lines.slice(1).join('\n') };
  const split = /^([^?\n]{3,200}\?)\s+(\S[\s\S]*)$/u.exec(trimmed);
  if (split && !current?.question) return { question: split[1]!, answer: split[2]! };
  if (!current?.question) return null;
  return { question: current.question, answer: trimmed };
}
