import type { ChatMessage, LlmResult, ToolSpec } from '../brain/llm.js';
import type { ConversationLine } from './customer-details.js';

/** A knowledge entry as drafted: the customer's question in general form and the answer. */
export interface DraftEntry {
  question: string;
  answer: string;
}

export const ENTRIES_TOOL = 'record_knowledge_entries';
const MAX_QUESTION = 300;
const MAX_ANSWER = 1500;

const INSTRUCTIONS = [
  'You turn a conversation between a customer and a business\'s manager into knowledge entries the business\'s bot will answer later customers from.',
  'Each entry: "question" = what the customer asked, in a general form any customer could ask; "answer" = the manager\'s answer.',
  'Keep every fact of the manager\'s answer exactly as written: prices, amounts, phone numbers, addresses, times, dates, names of services, links. You may rephrase the wording only.',
  'Leave out everything about this customer: their name, phone, e-mail, address, order or booking numbers, personal arrangements.',
  'Only knowledge that helps other customers counts; small talk, greetings and one-off arrangements are not knowledge. Write in the language of the conversation.',
  `Call ${ENTRIES_TOOL} with the entries (an empty list when there is none).`,
].join('\n');

/** The LLM request that drafts entries from a conversation; `max` 1 asks for exactly one entry (Teach). */
export function entriesRequest(conversation: readonly ConversationLine[], max: number): { messages: ChatMessage[]; tools: ToolSpec[] } {
  const lines = conversation.filter((l) => l.author === 'customer' || l.author === 'manager').map((l) => `${l.author}: ${l.text.replace(/\s*\n\s*/g, ' ')}`);
  return {
    messages: [
      { role: 'system', content: `${INSTRUCTIONS}\n${max === 1 ? 'Write exactly one entry: the question the manager answered.' : `Write at most ${max} entries.`}` },
      { role: 'user', content: `<conversation>\n${lines.join('\n')}\n</conversation>` },
    ],
    tools: [{
      name: ENTRIES_TOOL,
      description: 'Records the knowledge entries drafted from the conversation.',
      parameters: {
        type: 'object',
        properties: {
          entries: {
            type: 'array', maxItems: max,
            items: { type: 'object', properties: { question: { type: 'string' }, answer: { type: 'string' } }, required: ['question', 'answer'] },
          },
        },
        required: ['entries'],
      },
    }],
  };
}

/** The entries of the model's answer (tool call, or a JSON body as text); malformed ones are dropped. */
export function parseEntries(result: LlmResult, max: number): DraftEntry[] {
  const call = result.toolCalls.find((c) => c.name === ENTRIES_TOOL);
  let raw: unknown = call?.arguments.entries;
  if (raw === undefined && result.content) {
    try {
      const parsed = JSON.parse(result.content) as { entries?: unknown };
      raw = parsed.entries;
    } catch {
      raw = undefined;
    }
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { question, answer } = e as Record<string, unknown>;
    if (typeof question !== 'string' || typeof answer !== 'string' || !question.trim() || !answer.trim()) return [];
    return [{ question: question.trim().slice(0, MAX_QUESTION), answer: answer.trim().slice(0, MAX_ANSWER) }];
  }).slice(0, max);
}

/**
 * Without a model: the customer's last question before the manager's first answer, and the manager's words as they
 * wrote them. Used for Teach when no LLM is configured or it refused the request.
 */
export function plainEntry(conversation: readonly ConversationLine[]): DraftEntry | null {
  const firstAnswer = conversation.findIndex((l) => l.author === 'manager');
  if (firstAnswer < 0) return null;
  const asked = conversation.slice(0, firstAnswer).filter((l) => l.author === 'customer').map((l) => l.text.trim()).filter(Boolean);
  const question = asked.findLast((t) => t.includes('?')) ?? asked.at(-1);
  const answer = managerWords(conversation).join('\n');
  if (!question || !answer) return null;
  return { question: question.slice(0, MAX_QUESTION), answer: answer.slice(0, MAX_ANSWER) };
}

export function managerWords(conversation: readonly ConversationLine[]): string[] {
  return conversation.filter((l) => l.author === 'manager').map((l) => l.text.trim()).filter(Boolean);
}
