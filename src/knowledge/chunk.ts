/** One retrievable piece of a knowledge source, as the importers produce it (before it has an id). */
export interface Chunk {
  /** Heading path of a Markdown section ("Услуги › Гигиена"), else null. */
  heading: string | null;
  /** Set on FAQ chunks (CSV, JSON): the question as written. */
  question: string | null;
  answer: string | null;
  /** The original text shown to the LLM; for Markdown it starts with the heading path, for FAQ with the question. */
  text: string;
}

/**
 * Upper bound of a chunk's text. Small enough that several chunks fit an LLM prompt next to the history, large
 * enough that a price list section or an FAQ answer stays whole.
 */
export const MAX_CHUNK_CHARS = 1200;

export const HEADING_SEPARATOR = ' › ';

/**
 * Splits text longer than `max` at sentence ends and line breaks, then packs the pieces back into parts of at most
 * `max` characters. A single sentence longer than `max` is cut at the last space before the limit (or hard).
 */
export function splitLongText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  // A sentence ends at . ! ? … followed by whitespace; a line break ends a list item or a table row.
  const units = text.split(/(?<=[.!?…])\s+|\n+/u).map((u) => u.trim()).filter(Boolean).flatMap((u) => hardSplit(u, max));
  const parts: string[] = [];
  let current = '';
  for (const unit of units) {
    const joined = current === '' ? unit : `${current}${separatorAfter(current)}${unit}`;
    if (joined.length <= max) {
      current = joined;
    } else {
      parts.push(current);
      current = unit;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

function separatorAfter(text: string): string {
  return /[.!?…]$/u.test(text) ? ' ' : '\n';
}

function hardSplit(unit: string, max: number): string[] {
  const out: string[] = [];
  let rest = unit;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max / 2 ? space : max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest !== '') out.push(rest);
  return out;
}

/** Paragraphs of a text: runs of non-blank lines, trimmed at the ends. */
export function paragraphs(text: string): string[] {
  return text.split(/\n[ \t]*\n/).map((p) => p.replace(/^\n+|\s+$/g, '')).filter((p) => p.trim() !== '');
}

/** Turns CRLF and lone CR into LF, so line numbers and paragraph breaks mean the same on every platform. */
export function unixNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The text of an FAQ chunk: what the LLM reads and what is indexed, question first. */
export function faqChunk(question: string, answer: string): Chunk {
  const q = question.trim();
  const a = answer.trim();
  return { heading: null, question: q, answer: a, text: `${q}\n${a}` };
}
