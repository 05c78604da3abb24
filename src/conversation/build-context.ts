import type { HistoryLine, Retrieval, TurnContext } from '../brain/context.js';
import type { Locale } from '../tenants/settings.js';
import type { KnowledgePort } from './ports.js';

/**
 * The context of one turn, the same for WhatsApp, `botctl chat` and `botctl eval`: the tenant's whole knowledge when it
 * fits its budget, else knowledge retrieved for the new messages plus the customer's previous message, so a follow-up
 * ("and how much is it?") keeps its subject. Returns the retrieval too, for the trace.
 */
export async function buildContext(input: {
  tenant: { id: number; name: string; locale: Locale; prompt: string };
  knowledge: KnowledgePort;
  texts: string[];
  history: HistoryLine[];
  memory: string | null;
  language: Locale;
  signal: AbortSignal;
  clock?: () => number;
}): Promise<{ context: TurnContext; retrieval: Retrieval }> {
  const startedAt = (input.clock ?? Date.now)();
  const previous = input.history.filter((l) => l.author === 'customer').slice(-1).map((l) => l.text);
  const retrieval = await input.knowledge.retrieve(input.tenant.id, [...previous, ...input.texts].join(' '), input.signal);
  const context: TurnContext = {
    business: input.tenant.name,
    tenantLocale: input.tenant.locale,
    tenantPrompt: input.tenant.prompt,
    newMessages: input.texts,
    history: input.history,
    snippets: retrieval.snippets,
    toc: retrieval.toc,
    lexicalHits: retrieval.lexicalHits,
    memory: input.memory,
    language: input.language,
    faqAnswer: input.knowledge.findFaqAnswer(input.tenant.id, input.texts.join(' ')),
    startedAt,
  };
  return { context, retrieval };
}

/** Titles listed per turn in the trace; whole knowledge of 150 sections is summed up after these. */
const TRACED_CHUNKS = 40;

/** The `knowledge.search` trace step: the mode, the chunks that went to the model with their scores, the prompt's tokens. */
export function describeRetrieval(retrieval: Retrieval, promptTokens: number, faq: boolean): Record<string, unknown> {
  const chunks = retrieval.snippets.slice(0, TRACED_CHUNKS).map((s) => ({
    title: `${s.sourceName}${s.heading ? ` › ${s.heading}` : ''}`,
    ...(s.chunkId !== undefined ? { chunkId: s.chunkId } : {}),
    ...(s.score !== undefined ? { score: s.score } : {}),
  }));
  return {
    mode: retrieval.mode,
    chunks,
    ...(retrieval.snippets.length > TRACED_CHUNKS ? { moreChunks: retrieval.snippets.length - TRACED_CHUNKS } : {}),
    promptTokens,
    knowledgeTokens: retrieval.knowledgeTokens,
    budgetTokens: retrieval.budgetTokens,
    toc: retrieval.toc.length,
    lexicalHits: retrieval.lexicalHits,
    faq,
    ...(retrieval.fallback !== null ? { fallback: retrieval.fallback } : {}),
  };
}
