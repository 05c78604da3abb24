import type OpenAI from 'openai';
import { contentText } from './completion.js';
import { draftingStep } from './drafter.js';
import { formFillingStep } from './form-filler.js';
import type { ChatRequest, Responder, Step } from './types.js';

type MessageParam = OpenAI.Chat.ChatCompletionMessageParam;

/**
 * The default responder: a deterministic "grounded" answerer, good enough for `botctl demo` and for
 * tests that want a plausible model without scripting one. The exact rule:
 *
 * 1. Question = the text of the last message with role 'user' (text parts joined). Its words: lower-
 *    cased, 'ё' read as 'е', split on anything not a letter or digit; words under 3 characters and the
 *    STOPWORDS below are dropped; each word is keyed by its first 5 characters, so "delivery" meets
 *    "delivered" and "доставка" meets "доставку".
 * 2. Knowledge = the text of every 'system' and 'developer' message. If it holds blocks fenced by
 *    `<<<` … `>>>` (how src/brain/prompt-assembly.ts marks retrieved knowledge) or tagged <knowledge>,
 *    <snippet>, <snippets>, <context>, <document>, <doc> or <source> (attributes allowed), only the
 *    text inside them counts; otherwise all of it does, instructions included. Lines starting with
 *    "[n]" are source labels ("[1] faq.md › Delivery") and are skipped. The rest is cut into sentences
 *    at line breaks and after '.', '!' or '?' followed by whitespace; a leading bullet or "1." is
 *    removed, and a sentence wholly in parentheses ("(nothing found)") is skipped.
 * 3. A sentence scores the number of distinct question keys it contains; sentences that are themselves
 *    questions (ending in '?', like the question half of an FAQ entry) are not answers and are skipped.
 *    The highest score wins; on a tie a sentence with a digit (a fact: a price, an hour) beats one
 *    without, then the earliest wins. It answers with that sentence verbatim when its score is at least
 *    1, or at least 2 when the question has 3 or more keys (one shared word is a coincidence then).
 * 4. Score 0: if the last message is not a tool result, `tool_choice` is not 'none', and the request
 *    offers a function tool whose name contains "handover" or "escalate" (any case), the first such
 *    tool is called with arguments { reason: "not in the knowledge base" }.
 * 5. Otherwise the answer is "I don't know." — in Russian when the question has Cyrillic letters.
 *
 * Before all of this, a request that asks for question/answer entries is answered by the note-taker
 * (drafter.ts, `draftingStep`), and a request offering a tool that takes a choice from a list (a booking) may be
 * answered by calling it when the customer's messages fill it (form-filler.ts, `formFillingStep`).
 */
export const groundedResponder: Responder = (request: ChatRequest): Step => {
  const drafted = draftingStep(request);
  if (drafted) return drafted;
  const form = formFillingStep(request);
  if (form) return form;
  const messages = (request.body.messages ?? []) as MessageParam[];
  const question = [...messages].reverse().find((m) => m.role === 'user');
  const questionText = question ? contentText(question.content) : '';
  const questionKeys = new Set(keysOf(questionText));

  const needed = questionKeys.size >= 3 ? 2 : 1;
  let best: { sentence: string; score: number; fact: boolean } | null = null;
  for (const sentence of knowledgeSentences(messages)) {
    if (sentence.endsWith('?')) continue;
    const keys = new Set(keysOf(sentence));
    let score = 0;
    for (const key of questionKeys) if (keys.has(key)) score++;
    const fact = /\d/.test(sentence);
    if (score >= needed && (!best || score > best.score || (score === best.score && fact && !best.fact))) best = { sentence, score, fact };
  }
  if (best) return { content: best.sentence };

  const lastIsToolResult = messages.at(-1)?.role === 'tool';
  const handover = request.body.tool_choice === 'none' || lastIsToolResult ? undefined : handoverTool(request);
  if (handover) return { toolCall: { name: handover, arguments: { reason: 'not in the knowledge base' } } };
  return { content: /[\u0400-\u04ff]/.test(questionText) ? 'Я не знаю.' : "I don't know." };
};

// Question words that carry no topic; dropped so "what is your address" does not match every
// instruction sentence that says "your". Words under 3 characters are dropped anyway.
const STOPWORDS = new Set([
  'the', 'and', 'for', 'are', 'you', 'your', 'with', 'this', 'that', 'what', 'how', 'when', 'where', 'who',
  'why', 'can', 'does', 'did', 'have', 'has', 'was', 'were', 'will', 'would', 'could', 'should', 'not',
  'but', 'any', 'our', 'from', 'about', 'there', 'their', 'they', 'them', 'then', 'than', 'into', 'also',
  'just', 'please', 'hello', 'thanks', 'thank', 'which', 'want', 'know', 'tell', 'like', 'much', 'many', 'nothing',
  'что', 'как', 'где', 'когда', 'это', 'для', 'или', 'так', 'все', 'вас', 'вам', 'ваш', 'ваши', 'мне',
  'меня', 'нас', 'нам', 'наш', 'есть', 'если', 'уже', 'еще', 'можно', 'нужно', 'только', 'тоже', 'про',
  'при', 'без', 'под', 'над', 'чем', 'кто', 'его', 'она', 'они', 'оно', 'был', 'была', 'было', 'будет',
  'здравствуйте', 'привет', 'спасибо', 'пожалуйста', 'скажите', 'подскажите', 'сколько', 'скольки', 'какой', 'какая', 'ничего',
  'қалай', 'қашан', 'қайда', 'сіз', 'сіздің', 'бұл', 'және', 'бар', 'жоқ',
]);

/** Topic keys of a text, per rule 1. */
export function keysOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 3 && !STOPWORDS.has(word))
    .map((word) => word.slice(0, 5));
}

const SNIPPET_BLOCK = /<<<([\s\S]*?)>>>|<(knowledge|snippets?|context|document|doc|source)\b[^>]*>([\s\S]*?)<\/\2\s*>/gi;
const SOURCE_LABEL = /^\s*\[\d+\]/;
const LEADING_MARK = /^\s*(?:[-*•·]+|\d+[.)]|#+)\s*/;

/** Candidate sentences of the system/developer messages, per rule 2. */
export function knowledgeSentences(messages: MessageParam[]): string[] {
  const text = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content))
    .join('\n');
  const blocks = [...text.matchAll(SNIPPET_BLOCK)].map((match) => match[1] ?? match[3] ?? '');
  const source = blocks.length > 0 ? blocks.join('\n') : text;
  return source
    .split(/\r?\n/)
    .filter((line) => !SOURCE_LABEL.test(line))
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((sentence) => sentence.replace(LEADING_MARK, '').trim())
    .filter((sentence) => sentence.length > 0 && !/^<[^>]*>$/.test(sentence) && !/^\(.*\)$/.test(sentence));
}

function handoverTool(request: ChatRequest): string | undefined {
  for (const tool of request.body.tools ?? []) {
    if (tool.type !== 'function') continue;
    const name = tool.function.name;
    if (/handover|escalate/i.test(name)) return name;
  }
  return undefined;
}
