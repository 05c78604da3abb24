import { MAX_CHUNK_CHARS, paragraphs, splitLongText, unixNewlines, type Chunk } from './chunk.js';

/**
 * Plain text → chunks: one chunk per paragraph (lines separated by a blank line); a paragraph longer than
 * MAX_CHUNK_CHARS is split at sentence ends and line breaks. Short paragraphs are not merged: in a plain text file
 * a paragraph is the author's unit of meaning, and a small chunk ranks more precisely.
 */
export function importText(text: string): Chunk[] {
  return paragraphs(unixNewlines(text))
    .flatMap((paragraph) => splitLongText(paragraph.trim(), MAX_CHUNK_CHARS))
    .map((body) => ({ heading: null, question: null, answer: null, text: body }));
}
