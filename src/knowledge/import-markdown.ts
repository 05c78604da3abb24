import { HEADING_SEPARATOR, MAX_CHUNK_CHARS, paragraphs, splitLongText, unixNewlines, type Chunk } from './chunk.js';

interface Section {
  path: string[];
  lines: string[];
}

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
/** A heading path longer than this is cut in the chunk text, so the body keeps most of the chunk's room. */
const MAX_HEADING_CHARS = 200;

/**
 * Markdown → chunks: one section per ATX heading (`#`…`######`; setext underlines are read as text), each
 * section's paragraphs packed into chunks of at most MAX_CHUNK_CHARS whose text starts with the heading path, so a
 * chunk read alone still says what it is about. A paragraph too long for one chunk is split at sentence ends and
 * line breaks. Fenced code is kept as text and never read as headings; YAML front matter is dropped.
 */
export function importMarkdown(text: string): Chunk[] {
  return splitSections(stripFrontMatter(unixNewlines(text))).flatMap(sectionChunks);
}

function stripFrontMatter(text: string): string {
  const match = /^---\n[\s\S]*?\n---[ \t]*(?:\n|$)/.exec(text);
  return match ? text.slice(match[0].length) : text;
}

function splitSections(text: string): Section[] {
  const sections: Section[] = [];
  let stack: string[] = [];
  let current: Section = { path: [], lines: [] };
  let inFence = false;
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : ATX_HEADING.exec(line);
    if (heading) {
      sections.push(current);
      const level = heading[1]!.length;
      // A skipped level (# then ###) leaves no empty step in the path.
      stack = [...stack.slice(0, level - 1), heading[2]!.trim()];
      current = { path: stack.filter(Boolean), lines: [] };
    } else {
      current.lines.push(!inFence && THEMATIC_BREAK.test(line) ? '' : line);
    }
  }
  sections.push(current);
  return sections;
}

function sectionChunks(section: Section): Chunk[] {
  const heading = section.path.length > 0 ? section.path.join(HEADING_SEPARATOR) : null;
  const prefix = heading ? `${heading.slice(0, MAX_HEADING_CHARS)}\n\n` : '';
  const budget = MAX_CHUNK_CHARS - prefix.length;
  const bodies: string[] = [];
  let current = '';
  for (const paragraph of paragraphs(section.lines.join('\n'))) {
    for (const piece of splitLongText(paragraph, budget)) {
      const joined = current === '' ? piece : `${current}\n\n${piece}`;
      if (joined.length <= budget) {
        current = joined;
      } else {
        bodies.push(current);
        current = piece;
      }
    }
  }
  if (current !== '') bodies.push(current);
  // A heading with no text under it (a parent of subsections) makes no chunk: its words are in its children's path.
  return bodies.map((body) => ({ heading, question: null, answer: null, text: prefix + body }));
}
