import type { LlmPort } from '../brain/llm.js';
import type { Job } from '../jobs/types.js';
import type { Tracer } from './ports.js';

/** What the memory job reads and writes; implemented in src/storage/memory-store.ts. */
export interface MemoryStore {
  load(contactId: number, lastMessages: number): { tenantId: number; locale: string; summary: string | null; lines: { author: string; text: string }[] } | null;
  saveSummary(contactId: number, summary: string, at: number): void;
}

const LAST_MESSAGES = 30;
const MAX_SUMMARY_CHARS = 600;
const INSTRUCTIONS: Record<string, string> = {
  ru: 'Кратко перечисли факты о клиенте, полезные в следующих разговорах: имя, что он спрашивал, о чём договорились, предпочтения. Только то, что есть в переписке; без оценок; не более 5 пунктов.',
  kk: 'Келесі әңгімелерде пайдалы клиент туралы деректерді қысқаша жаз: аты, не сұрады, немен келісті, қалауы. Тек хат алмасуда бар нәрсе; 5 тармақтан аспасын.',
  en: 'Briefly list facts about the customer useful in later conversations: name, what they asked, what was agreed, preferences. Only what the conversation says; no judgements; at most 5 points.',
};

/**
 * The contact's long-term memory (contacts.metadata.summary): after a conversation goes quiet, the LLM condenses
 * the recent messages and the previous memory into a few facts that later turns get as context. Without an LLM
 * there is no memory; the recent history still is.
 */
export async function summarizeMemory(job: Job, deps: { store: MemoryStore; llm: LlmPort | null; tracer: Tracer; clock: () => number }, signal: AbortSignal): Promise<void> {
  if (!deps.llm) return;
  const contactId = Number(job.payload.contactId);
  const data = deps.store.load(contactId, LAST_MESSAGES);
  if (!data || data.lines.length === 0) return;
  const instructions = INSTRUCTIONS[data.locale] ?? INSTRUCTIONS.en!;
  const conversation = data.lines.map((l) => `${l.author}: ${l.text}`).join('\n');
  const started = deps.clock();
  const result = await deps.llm.complete({
    messages: [
      { role: 'system', content: instructions },
      { role: 'user', content: `${data.summary ? `Previous memory:\n${data.summary}\n\n` : ''}Conversation:\n${conversation}` },
    ],
    tools: [],
  }, { signal, timeoutMs: 30_000 });
  const summary = (result.content ?? '').trim().slice(0, MAX_SUMMARY_CHARS);
  if (!summary) return;
  deps.store.saveSummary(contactId, summary, deps.clock());
  deps.tracer.record({ tenantId: data.tenantId, traceId: `contact-${contactId}`, step: 'memory.summarized', durationMs: deps.clock() - started, detail: { chars: summary.length } });
}
