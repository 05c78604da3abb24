import type OpenAI from 'openai';
import { contentText } from './completion.js';
import { keysOf } from './responders.js';
import type { ChatRequest, Step } from './types.js';

type MessageParam = OpenAI.Chat.ChatCompletionMessageParam;
type Schema = { type?: string; enum?: unknown[]; description?: string };

/**
 * The simulator's form filler: how a model uses a tool that takes a choice from a list plus details the customer
 * gives (a booking, an order). Rule, for the first offered function tool (not a handover tool) with a required
 * `enum` parameter:
 *
 * 1. Each required parameter is filled from the customer's messages (role 'user', newest first):
 *    - an `enum` parameter: the listed value sharing the most topic keys (responders.ts rule 1) with a message;
 *    - a parameter whose name or description speaks of time, day or date: a clock time ("15:00", "3 pm") with up
 *      to two words before it ("завтра в 15:00");
 *    - a parameter described as `YYYY-MM-DD HH:MM`: that clock time on today's date (the last such date in the
 *      system messages), moved a day or two ahead by "tomorrow" / "day after tomorrow" (ru, kk, en words);
 *    - a parameter whose name or description speaks of a name: the word after an introduction ("меня зовут",
 *      "my name is", "I am", "атым"), capitalised as written.
 * 2. The tool is called when the enum parameter and at least one other are filled, and the newest customer message
 *    filled one of them (so a later "thanks" does not call it again). Unfilled parameters are left out: the
 *    application decides what to ask for.
 */
export function formFillingStep(request: ChatRequest): Step | null {
  const messages = (request.body.messages ?? []) as MessageParam[];
  if (request.body.tool_choice === 'none' || messages.at(-1)?.role === 'tool') return null;
  const customer = messages.filter((m) => m.role === 'user').map((m) => contentText(m.content)).reverse();
  if (customer.length === 0) return null;
  for (const tool of request.body.tools ?? []) {
    if (tool.type !== 'function' || /handover|escalate/i.test(tool.function.name)) continue;
    const params = (tool.function.parameters ?? {}) as { properties?: Record<string, Schema>; required?: string[] };
    const properties = params.properties ?? {};
    const required = params.required ?? Object.keys(properties);
    if (!required.some((name) => Array.isArray(properties[name]?.enum))) continue;
    const args: Record<string, string> = {};
    let newestFilled = false;
    // The last date in the instructions: what changes per turn (the current time) comes after the knowledge.
    const today = [...messages.filter((m) => m.role === 'system').map((m) => contentText(m.content)).join('\n').matchAll(/\b(\d{4}-\d{2}-\d{2})\b/g)].at(-1)?.[1] ?? null;
    for (const name of Object.keys(properties)) {
      const schema = properties[name] ?? {};
      const found = fill(name, schema, customer, today);
      if (!found) continue;
      args[name] = found.value;
      if (found.index === 0) newestFilled = true;
    }
    const enumFilled = required.some((name) => Array.isArray(properties[name]?.enum) && args[name] !== undefined);
    if (enumFilled && required.filter((name) => args[name] !== undefined).length >= 2 && newestFilled) return { toolCall: { name: tool.function.name, arguments: args } };
  }
  return null;
}

/** The value of one parameter and which customer message (0 = newest) it came from. */
function fill(name: string, schema: Schema, customer: string[], today: string | null): { value: string; index: number } | null {
  const about = `${name} ${schema.description ?? ''}`.toLowerCase();
  for (let index = 0; index < customer.length; index++) {
    const text = customer[index]!;
    let value: string | null = null;
    if (about.includes('yyyy-mm-dd')) value = today ? resolvedMoment(text, today) : null;
    else if (Array.isArray(schema.enum)) value = bestChoice(schema.enum.filter((v): v is string => typeof v === 'string'), text);
    else if (/time|date|day|when/.test(about)) value = clockTime(text);
    else if (/name/.test(about)) value = introducedName(text);
    if (value) return { value, index };
  }
  return null;
}

function bestChoice(choices: string[], text: string): string | null {
  const keys = new Set(keysOf(text));
  let best: { choice: string; score: number } | null = null;
  for (const choice of choices) {
    const score = new Set(keysOf(choice).filter((k) => keys.has(k))).size;
    if (score > 0 && (!best || score > best.score)) best = { choice, score };
  }
  return best?.choice ?? null;
}

const CLOCK = /(?:(\p{L}+)\s+)?(?:(\p{L}+)\s+)?(\d{1,2}(?::|\.)\d{2}|\d{1,2}\s?(?:am|pm))(?![\d])/iu;

function clockTime(text: string): string | null {
  const match = CLOCK.exec(text);
  if (!match) return null;
  return [match[1], match[2], match[3]].filter(Boolean).join(' ');
}

// Relative day words a model understands, in the languages the product serves.
const DAY_AFTER = /послезавтра|day after tomorrow|бүрсігүні/iu;
const TOMORROW = /завтра|tomorrow|ертең/iu;

/** A clock time in the text resolved against today's date (from the instructions) as `YYYY-MM-DD HH:MM`. */
function resolvedMoment(text: string, today: string): string | null {
  const time = /(\d{1,2})(?:[:.](\d{2}))?\s?(am|pm)?/iu.exec(clockTime(text)?.split(' ').slice(-2).join(' ') ?? '');
  if (!time || !clockTime(text)) return null;
  let hour = Number(time[1]);
  if (time[3]?.toLowerCase() === 'pm' && hour < 12) hour += 12;
  if (time[3]?.toLowerCase() === 'am' && hour === 12) hour = 0;
  const days = DAY_AFTER.test(text) ? 2 : TOMORROW.test(text) ? 1 : 0;
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return `${date.toISOString().slice(0, 10)} ${String(hour).padStart(2, '0')}:${time[2] ?? '00'}`;
}

const INTRODUCTIONS = /(?:меня зовут|моё имя|мое имя|my name is|i am|i'm|менің атым|атым)\s+([\p{L}-]+)/iu;

function introducedName(text: string): string | null {
  const match = INTRODUCTIONS.exec(text);
  return match ? match[1]! : null;
}
