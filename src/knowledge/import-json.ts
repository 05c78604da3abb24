import { UserError } from '../errors.js';
import { faqChunk, type Chunk } from './chunk.js';

const SHAPE_HINT = 'write a list of questions and answers: [{"question": "…", "answer": "…"}] (or {"faq": [ … ]})';

/**
 * JSON FAQ → one FAQ chunk per item. Accepts `[{question, answer}]` or `{"faq": [...]}`; both fields must be
 * non-empty strings. Other fields of an item are ignored, so an export from another tool with ids still imports.
 */
export function importJson(text: string, source: string): Chunk[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source} is not valid JSON: ${describeSyntaxError(text, err as Error)}`, 'fix the JSON there (a missing comma or quote, or a trailing comma, is the usual cause) and add the file again');
  }
  const items = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.faq) ? data.faq : null;
  if (items === null) throw new UserError(`${source} is not an FAQ list`, SHAPE_HINT);
  if (items.length === 0) throw new UserError(`${source} has an empty FAQ list`, SHAPE_HINT);
  return items.map((item: unknown, index: number) => {
    const where = `${source} item ${index + 1}`;
    if (!isRecord(item)) throw new UserError(`${where} is not an object with a question and an answer`, SHAPE_HINT);
    const { question, answer } = item;
    if (typeof question !== 'string' || question.trim() === '') {
      throw new UserError(`${where} has no question`, 'give every item a non-empty "question" text, or delete the item, and add the file again');
    }
    if (typeof answer !== 'string' || answer.trim() === '') {
      throw new UserError(`${where} ("${clip(question.trim())}") has no answer`, 'give every item a non-empty "answer" text, or delete the item, and add the file again');
    }
    return faqChunk(question, answer);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** V8's message with the line and column of the position it names, which is what an editor can jump to. */
function describeSyntaxError(text: string, err: Error): string {
  // V8 quotes the whole input in some messages ("…" is not valid JSON): the operator has the file, not a copy.
  const message = err.message.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '');
  if (/end of JSON input/.test(message)) return `${message} (the file ends before the JSON is closed)`;
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const offset = Number(position[1]);
  if (offset >= text.trimEnd().length) return `${message} (the file ends before the JSON is closed)`;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
