import { UserError } from '../errors.js';
import { faqChunk, unixNewlines, type Chunk } from './chunk.js';

interface Row {
  /** 1-based line of the file where the row starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

/**
 * CSV of questions and answers → one FAQ chunk per row. RFC 4180 quoting: a field in double quotes may hold commas,
 * line breaks and doubled quotes (""). The header row is required and must name `question` and `answer` (any
 * order, any case; other columns are ignored). A header without commas but with semicolons switches the delimiter
 * to `;`, which is what spreadsheets in Russian locales save. Blank lines are skipped.
 */
export function importCsv(raw: string, source: string): Chunk[] {
  const text = unixNewlines(raw);
  const delimiter = detectDelimiter(text);
  const rows = parseCsv(text, delimiter, source).filter((row) => row.fields.some((f) => f.trim() !== ''));
  const header = rows.shift();
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const qi = names.indexOf('question');
  const ai = names.indexOf('answer');
  if (qi < 0 || ai < 0) {
    const missing = [qi < 0 ? 'question' : null, ai < 0 ? 'answer' : null].filter(Boolean).join(' and ');
    throw new UserError(
      `${source} has no ${missing} column in its header row (found: ${names.filter(Boolean).join(', ') || 'nothing'})`,
      'make the first row name the columns, e.g. question,answer, and put one question and its answer in each row below',
    );
  }
  if (rows.length === 0) throw new UserError(`${source} has a header row but no questions`, 'add one row per question below the header: question,answer');
  return rows.map((row) => {
    const question = row.fields[qi]?.trim() ?? '';
    const answer = row.fields[ai]?.trim() ?? '';
    if (question === '') throw new UserError(`${source} line ${row.line}: the question is empty`, 'write the question in that row or delete the row, then add the file again');
    if (answer === '') throw new UserError(`${source} line ${row.line}: the answer to "${clip(question)}" is missing`, 'write the answer in that row (quote it if it holds commas: "…") or delete the row, then add the file again');
    return faqChunk(question, answer);
  });
}

function detectDelimiter(text: string): ',' | ';' {
  const firstLine = text.split('\n', 1)[0] ?? '';
  return !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
}

function parseCsv(text: string, delimiter: string, source: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push({ line: rowLine, fields });
    fields = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field.trim() === '') {
      // A quoted field: read to the closing quote; "" is a literal quote; commas and line breaks are content.
      const openedAt = line;
      field = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new UserError(`${source} line ${openedAt}: a quoted field is never closed`, 'add the closing double quote, and write a quote inside a field as two quotes ("")');
        const c = text[i]!;
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
      }
      // Only spaces may follow the closing quote before the delimiter or the line end.
      while (text[i] === ' ' || text[i] === '\t') i++;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n') {
        throw new UserError(`${source} line ${line}: text follows a closing quote`, 'put the whole field in quotes and write a quote inside it as two quotes ("")');
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
    } else if (ch === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else {
      field += ch;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
