import type OpenAI from 'openai';
import { contentText } from './completion.js';
import type { ChatRequest, Step } from './types.js';

type MessageParam = OpenAI.Chat.ChatCompletionMessageParam;
type Tool = OpenAI.Chat.ChatCompletionTool;

/**
 * A deterministic "note-taker", for requests that ask the model to write question/answer entries. The exact rule:
 *
 * 1. It applies when the request offers a function tool whose parameters have an array property whose items have
 *    both a `question` and an `answer` property (any names for the tool and the array). The array's `maxItems`
 *    (default 10) caps the entries.
 * 2. The conversation = the last 'user' message; if it holds a block tagged <conversation>…</conversation> or
 *    <transcript>…</transcript>, only the block. Each line "label: text" is a turn; labels customer, client, user,
 *    клиент, guest are the asker; manager, agent, operator, staff, менеджер, support are the answerer; other lines
 *    continue the previous turn.
 * 3. Each run of asker turns followed by answerer turns is one exchange. Its question = the asker's last sentence
 *    that ends with '?' (else the asker's last turn); its answer = the answerer's turns joined by a space. Greeting
 *    and thanks sentences (at most three words, starting with a greeting word) are dropped from both, and an
 *    exchange whose answer is then empty is not knowledge. Names, numbers and details are copied as they are: the
 *    simulator, like a careless model, leaves the application to take out what must not be kept.
 * 4. With maxItems 1 the exchanges are merged into one entry: the first question, every answer.
 * 5. It calls the tool with { <array>: [{ question, answer }, …] } (an empty array when there is no exchange).
 */
export function draftingStep(request: ChatRequest): Step | null {
  const target = entriesTool(request.body.tools ?? []);
  if (!target) return null;
  const messages = (request.body.messages ?? []) as MessageParam[];
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const text = user ? contentText(user.content) : '';
  const block = /<(conversation|transcript)>([\s\S]*?)<\/\1>/i.exec(text)?.[2] ?? text;
  let entries = exchanges(turns(block));
  if (target.max === 1 && entries.length > 1) entries = [{ question: entries[0]!.question, answer: entries.map((e) => e.answer).join(' ') }];
  return { toolCall: { name: target.name, arguments: { [target.property]: entries.slice(0, target.max) } } };
}

function entriesTool(tools: readonly Tool[]): { name: string; property: string; max: number } | null {
  for (const tool of tools) {
    if (tool.type !== 'function') continue;
    const properties = (tool.function.parameters?.properties ?? {}) as Record<string, { type?: string; maxItems?: number; items?: { properties?: Record<string, unknown> } }>;
    for (const [property, schema] of Object.entries(properties)) {
      const itemProps = schema.items?.properties ?? {};
      if (schema.type === 'array' && 'question' in itemProps && 'answer' in itemProps) return { name: tool.function.name, property, max: schema.maxItems ?? 10 };
    }
  }
  return null;
}

const ASKER = /^(customer|client|user|guest|клиент|покупатель)$/i;
const ANSWERER = /^(manager|agent|operator|staff|support|менеджер|оператор)$/i;

function turns(text: string): { asker: boolean; text: string }[] {
  const out: { asker: boolean; text: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([\p{L}]+)\s*:\s*(.*)$/u.exec(line);
    if (match && (ASKER.test(match[1]!) || ANSWERER.test(match[1]!))) out.push({ asker: ASKER.test(match[1]!), text: match[2]!.trim() });
    else if (line.trim() && out.length > 0) out.at(-1)!.text += ` ${line.trim()}`;
  }
  return out;
}

function exchanges(list: { asker: boolean; text: string }[]): { question: string; answer: string }[] {
  const out: { question: string; answer: string }[] = [];
  let asked: string[] = [];
  let answered: string[] = [];
  const close = () => {
    const answer = withoutGreetings(answered.join(' '));
    const sentences = asked.flatMap(sentencesOf).filter((s) => !isGreeting(s));
    const question = sentences.findLast((s) => s.endsWith('?')) ?? withoutGreetings(asked.at(-1) ?? '');
    if (question && answer) out.push({ question, answer });
    asked = [];
    answered = [];
  };
  for (const turn of list) {
    if (turn.asker && answered.length > 0) close();
    (turn.asker ? asked : answered).push(turn.text);
  }
  if (answered.length > 0) close();
  return out;
}

const GREETING = /^(hello|hi|hey|good|thanks|thank|здравствуйте|здравствуй|добрый|доброе|привет|спасибо|благодарю|сәлеметсіз|сәлем|рахмет|салем)$/i;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter(Boolean);
}

function isGreeting(sentence: string): boolean {
  const words = sentence.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.length > 0 && words.length <= 3 && GREETING.test(words[0]!);
}

function withoutGreetings(text: string): string {
  return sentencesOf(text).filter((s) => !isGreeting(s)).join(' ');
}
