import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UserError } from '../errors.js';
import type { Chunk } from './chunk.js';
import { importCsv } from './import-csv.js';
import { importJson } from './import-json.js';
import { importMarkdown } from './import-markdown.js';
import { importText } from './import-text.js';

export const SOURCE_FORMATS = ['md', 'txt', 'csv', 'json'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const BY_EXTENSION: Record<string, SourceFormat> = { '.md': 'md', '.markdown': 'md', '.txt': 'txt', '.csv': 'csv', '.json': 'json' };
const IMPORTERS: Record<SourceFormat, (text: string, source: string) => Chunk[]> = {
  md: importMarkdown, txt: importText, csv: importCsv, json: importJson,
};

/** A knowledge file is text an operator writes; anything bigger is an export that needs splitting, not importing. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
/** Part of every checksum: a botctl whose importers chunk differently re-imports an unchanged file instead of skipping it. */
const CHUNKER_VERSION = 'kb1';

/** A file read, validated and chunked, ready to be written; nothing has touched the database yet. */
export interface ParsedSource {
  /** The source's name in the knowledge base: the file name without its folder. */
  name: string;
  path: string;
  format: SourceFormat;
  checksum: string;
  chunks: Chunk[];
}

/** True for the file names `kb import` picks up from a folder (by extension; hidden files are skipped). */
export function isSupportedFile(name: string): boolean {
  return !name.startsWith('.') && extname(name).toLowerCase() in BY_EXTENSION;
}

/** The format named by --format, else by the file's extension; a UserError when neither says. */
export function formatOf(name: string, explicit?: string): SourceFormat {
  if (explicit !== undefined) {
    if ((SOURCE_FORMATS as readonly string[]).includes(explicit)) return explicit as SourceFormat;
    throw new UserError(`unknown format "${explicit}"`, `use --format with one of ${SOURCE_FORMATS.join(', ')}`);
  }
  const format = BY_EXTENSION[extname(name).toLowerCase()];
  if (!format) {
    throw new UserError(
      `${name} has an extension botctl does not import (${extname(name) || 'none'})`,
      'save it as .md, .markdown, .txt, .csv or .json, or name its format with --format md|txt|csv|json',
    );
  }
  return format;
}

/** Reads, decodes and chunks a file. Every problem is a UserError naming the file, the problem and the fix. */
export function readSource(path: string, options: { format?: string } = {}): ParsedSource {
  const name = basename(path);
  const format = formatOf(name, options.format);
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UserError(`${path} is a folder`, `import every file in it with: botctl kb import <slug> ${path}`);
    size = stat.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw unreadable(path, err as NodeJS.ErrnoException);
  }
  if (size > MAX_SOURCE_BYTES) {
    throw new UserError(`${name} is ${(size / 1024 / 1024).toFixed(1)} MB, over the 5 MB limit of a knowledge file`, 'split it into several files by topic (each one a source), and add those');
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw unreadable(path, err as NodeJS.ErrnoException);
  }
  return parseSource(name, format, bytes, path);
}

/** Decodes and chunks a file's bytes (the pure part of readSource). */
export function parseSource(name: string, format: SourceFormat, bytes: Buffer, path = name): ParsedSource {
  if (looksLikeUtf16(bytes)) {
    throw new UserError(`${name} is not plain UTF-8 text: it looks like UTF-16 text`, `re-save it as UTF-8 in the editor, or convert it, e.g. iconv -f UTF-16LE -t UTF-8 ${name} > utf8-${name}`);
  }
  const text = decodeUtf8(name, bytes).replace(/^\uFEFF/, '');
  refuseBinary(name, text);
  if (text.trim() === '') throw new UserError(`${name} is empty`, 'write the business\'s facts in it, or leave the file out');
  const chunks = IMPORTERS[format](text, name);
  if (chunks.length === 0) throw new UserError(`${name} has headings but no text to import`, 'write the facts under its headings, or leave the file out');
  const checksum = createHash('sha256').update(`${CHUNKER_VERSION}\0${format}\0`).update(bytes).digest('hex');
  return { name, path, format, checksum, chunks };
}

function decodeUtf8(name: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The first replacement character marks the first invalid byte (unless the file also holds a real U+FFFD).
    const lenient = bytes.toString('utf8');
    const offset = Buffer.byteLength(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))));
    throw new UserError(
      `${name} is not UTF-8 text (invalid byte at offset ${offset})`,
      `save it as UTF-8 in the editor, or convert it, e.g. iconv -f WINDOWS-1251 -t UTF-8 ${name} > utf8-${name}`,
    );
  }
}

// Control characters no text editor writes: NUL (every other byte of UTF-16 text) and C0 codes other than tab,
// line feed, form feed and carriage return. Valid UTF-8, but the chunks would be garbage to the LLM.
const BINARY = /[\u0000-\u0008\u000b\u000e-\u001f]/;

function refuseBinary(name: string, text: string): void {
  const match = BINARY.exec(text);
  if (!match) return;
  const offset = Buffer.byteLength(text.slice(0, match.index));
  throw new UserError(
    `${name} is not plain text: it holds a control byte 0x${match[0].charCodeAt(0).toString(16).padStart(2, '0')} at offset ${offset} (binary data)`,
    're-save it as UTF-8 text from the editor (export documents and spreadsheets as .txt, .md or .csv), and add that file',
  );
}

/**
 * UTF-16 without a BOM: NUL in a quarter or more of the even or the odd bytes (ASCII and Cyrillic both put one NUL
 * or a 0x04 in every pair; UTF-8 text has none). With a BOM it fails as invalid UTF-8 and gets the same hint.
 */
function looksLikeUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  const sample = Math.min(bytes.length, 4096) & ~1;
  if (sample < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return Math.max(even, odd) >= sample / 2 / 4;
}

function unreadable(path: string, err: NodeJS.ErrnoException): UserError {
  if (err.code === 'ENOENT') return new UserError(`${path} does not exist`, 'check the path (it is relative to the current folder)');
  if (err.code === 'EACCES') return new UserError(`${path} cannot be read (permission denied)`, 'make it readable by the user running botctl, e.g. chmod a+r');
  return new UserError(`${path} cannot be read (${err.code ?? err.message})`, 'check the path and its permissions');
}
