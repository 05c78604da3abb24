import type { HistoryLine, TurnContext } from '../brain/context.js';
import type { Locale } from '../tenants/settings.js';
import type { KnowledgePort } from './ports.js';

const SNIPPETS = 5;

/**
 * The context of one turn, the same for WhatsApp, `botctl chat` and `botctl eval`: knowledge is searched with the
 * new messages plus the customer's previous message, so a follow-up ("and how much is it?") keeps its subject.
 */
export function buildContext(input: {
  tenant: { id: number; name: string; locale: Locale; prompt: string };
  knowledge: KnowledgePort;
  texts: string[];
  history: HistoryLine[];
  memory: string | null;
  language: Locale;
}): TurnContext {
  const previous = input.history.filter((l) => l.author === 'customer').slice(-1).map((l) => l.text);
  return {
    business: input.tenant.name,
    tenantLocale: input.tenant.locale,
    tenantPrompt: input.tenant.prompt,
    newMessages: input.texts,
    history: input.history,
    snippets: input.knowledge.search(input.tenant.id, [...previous, ...input.texts].join(' '), SNIPPETS),
    memory: input.memory,
    language: input.language,
    faqAnswer: input.knowledge.findFaqAnswer(input.tenant.id, input.texts.join(' ')),
  };
}
