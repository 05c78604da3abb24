import { systemTemplate } from '../texts/texts.js';
import { describeService } from '../sales/services.js';
import type { Snippet, TurnContext } from './context.js';
import type { ChatMessage, ToolSpec } from './llm.js';

export const HANDOVER_TOOL: ToolSpec = {
  name: 'handover_to_manager',
  description: 'Hand the conversation to a human manager of the business. Use it when the knowledge does not contain the answer, the customer asks for a person, complains, wants to book, pay or get a refund, or the request needs a staff decision.',
  parameters: {
    type: 'object',
    properties: {
      reason: { type: 'string', description: 'why a manager is needed, in one short sentence' },
      summary: { type: 'string', description: 'what the customer wants, in one or two sentences, for the manager' },
    },
    required: ['reason'],
  },
};

const LANGUAGE_NAMES = { ru: 'русский (Russian)', kk: 'қазақ тілі (Kazakh)', en: 'English' } as const;
const HEADINGS = {
  ru: { prompt: 'Инструкции компании', knowledge: 'Знания', toc: 'Разделы базы знаний (ниже — только найденные по вопросу)', memory: 'Что известно о клиенте', services: 'Услуги для записи (записывайте только через инструмент; время подтверждает менеджер)', bookings: 'Записи этого клиента', now: 'Сейчас', returning: 'Клиент вернулся: последний раз писал {days} дн. назад. Поприветствуйте его как знакомого и используйте то, что о нём известно', offers: 'Предложения: можно предложить одно, только если подходит к вопросу, дословно; не жалующемуся клиенту', none: '(ничего не найдено)', language: 'Язык ответа' },
  kk: { prompt: 'Компания нұсқаулықтары', knowledge: 'Білім', toc: 'Білім қорының бөлімдері (төменде — тек сұраққа табылғандары)', memory: 'Клиент туралы белгілі', services: 'Жазылуға болатын қызметтер (тек құрал арқылы жазыңыз; уақытты менеджер растайды)', bookings: 'Осы клиенттің жазылулары', now: 'Қазір', returning: 'Клиент қайта келді: соңғы рет {days} күн бұрын жазды. Оны таныс ретінде қарсы алып, ол туралы белгіліні пайдаланыңыз', offers: 'Ұсыныстар: сұраққа сәйкес келсе, біреуін ғана сөзбе-сөз ұсынуға болады; шағымданған клиентке емес', none: '(ештеңе табылмады)', language: 'Жауап тілі' },
  en: { prompt: "Company's instructions", knowledge: 'Knowledge', toc: 'Sections of the knowledge base (below: only those found for the question)', memory: 'What is known about the customer', services: 'Services that can be booked (book only with the tool; a manager confirms the time)', bookings: "This customer's bookings", now: 'Now', returning: 'The customer is back: they last wrote {days} days ago. Greet them as a known customer and use what is known about them', offers: 'Offers: you may propose one, only when it fits the question, quoted exactly; never to a complaining customer', none: '(nothing found)', language: 'Answer language' },
} as const;

/** The system instructions alone (the leak check compares replies with them). */
export function instructionsFor(context: TurnContext): string {
  return systemTemplate(context.tenantLocale, context.business);
}

/**
 * The request for one turn. What is stable for a tenant comes first and always in the same order, so a provider's
 * prompt caching reuses the prefix (PROTOCOLS.md §3c): the locale's system template, the tenant's prompt, the table
 * of contents (when the knowledge is retrieved, not whole), the knowledge (marked as data); then what changes per
 * contact and turn: the contact's memory, the answer language, the conversation and the customer's new messages.
 */
export function assembleMessages(context: TurnContext): ChatMessage[] {
  const h = HEADINGS[context.tenantLocale];
  const knowledge = context.snippets.length === 0 ? h.none : knowledgeBlock(context.snippets);
  const system = [
    instructionsFor(context),
    `## ${h.prompt}\n${context.tenantPrompt.trim() || '—'}`,
    context.toc.length > 0 ? `## ${h.toc}\n${context.toc.map((t) => `- ${t}`).join('\n')}` : null,
    `## ${h.knowledge}\n<<<\n${knowledge}\n>>>`,
    context.services?.length ? `## ${h.services}\n<<<\n${servicesBlock(context)}\n>>>` : null,
    context.services?.length && context.localNow ? `## ${h.now}: ${context.localNow} (${context.timezone ?? ''})` : null,
    context.offers?.length ? `## ${h.offers}\n<<<\n${context.offers.map((o) => `${o.text} (${o.when})`).join('\n')}\n>>>` : null,
    context.memory ? `## ${h.memory}\n${context.memory.trim()}` : null,
    context.memory && context.returningAfterDays ? `## ${h.returning.replace('{days}', String(context.returningAfterDays))}` : null,
    context.bookings?.length ? `## ${h.bookings}\n<<<\n${context.bookings.join('\n')}\n>>>` : null,
    `## ${h.language}: ${LANGUAGE_NAMES[context.language]}`,
  ].filter(Boolean).join('\n\n');

  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  for (const line of context.history) {
    if (line.author === 'customer') messages.push({ role: 'user', content: line.text });
    else messages.push({ role: 'assistant', content: line.author === 'manager' ? `(manager) ${line.text}` : line.text });
  }
  messages.push({ role: 'user', content: context.newMessages.join('\n') });
  return messages;
}

/** The knowledge as the prompt holds it: each snippet labelled `[n] source › heading`, then its text. */
export function knowledgeBlock(snippets: readonly Snippet[]): string {
  return snippets.map((s, i) => `[${i + 1}] ${s.sourceName}${s.heading ? ` › ${s.heading}` : ''}\n${s.text.trim()}`).join('\n\n');
}

/** The tenant's services, one per line (they are knowledge: the facts guardrail accepts their prices). */
export function servicesBlock(context: TurnContext): string {
  return (context.services ?? []).map(describeService).join('\n');
}

/** Every text the reply's facts may come from: exactly the knowledge the model was given, the tenant's prompt, the conversation. */
export function factSources(context: TurnContext): string[] {
  return [
    context.tenantPrompt,
    ...context.toc,
    ...context.snippets.map((s) => `${s.heading ?? ''}\n${s.text}`),
    ...context.history.map((l) => l.text),
    ...context.newMessages,
    context.memory ?? '',
    servicesBlock(context),
    ...(context.bookings ?? []),
    ...(context.allOffers ?? []).map((o) => o.text),
  ];
}
