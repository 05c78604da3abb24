import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { MAX_CHUNK_CHARS } from '../../../src/knowledge/chunk.js';
import { importCsv } from '../../../src/knowledge/import-csv.js';
import { importJson } from '../../../src/knowledge/import-json.js';
import { importMarkdown } from '../../../src/knowledge/import-markdown.js';
import { importText } from '../../../src/knowledge/import-text.js';
import { formatOf, isSupportedFile, MAX_SOURCE_BYTES, parseSource, readSource } from '../../../src/knowledge/source-file.js';

/** The one-line message the CLI would print for what `fn` throws; fails when it throws anything but a UserError. */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).toString();
  }
  throw new Error('expected a UserError, nothing was thrown');
}

const sentence = (i: number) => `Предложение номер ${i} рассказывает о правилах клиники подробно.`;

describe('Markdown', () => {
  test('one chunk per section, its text led by the heading path', () => {
    const chunks = importMarkdown('Вступление без заголовка.\n\n# Услуги\n\n## Гигиена\n\nЧистка — 15 000 ₸.\n\nПолировка входит.\n\n## Лечение ##\nПломба — от 18 000 ₸.\n');
    expect(chunks).toEqual([
      { heading: null, question: null, answer: null, text: 'Вступление без заголовка.' },
      { heading: 'Услуги › Гигиена', question: null, answer: null, text: 'Услуги › Гигиена\n\nЧистка — 15 000 ₸.\n\nПолировка входит.' },
      { heading: 'Услуги › Лечение', question: null, answer: null, text: 'Услуги › Лечение\n\nПломба — от 18 000 ₸.' },
    ]);
  });

  test('a skipped level leaves no gap, a new top heading resets the path, code fences are not headings', () => {
    const chunks = importMarkdown('# A\n### C\ntext c\n# B\n```\n# not a heading\n```\ntext b\n');
    expect(chunks.map((c) => c.heading)).toEqual(['A › C', 'B']);
    expect(chunks[1]!.text).toContain('# not a heading');
  });

  test('front matter and thematic breaks are dropped; CRLF files read the same', () => {
    const chunks = importMarkdown('---\ntitle: x\n---\r\n# Часы\r\nПн–Пт 09:00–19:00\r\n\r\n---\r\nСб 10:00–15:00\r\n');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('Часы\n\nПн–Пт 09:00–19:00\n\nСб 10:00–15:00');
  });

  test(`long sections become several chunks of at most ${MAX_CHUNK_CHARS} characters, each with the heading path, losing nothing`, () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => sentence(i));
    const chunks = importMarkdown(`# Правила\n## Запись\n\n${paragraphs.join('\n\n')}\n`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
      expect(chunk.text.startsWith('Правила › Запись\n\n')).toBe(true);
      expect(chunk.heading).toBe('Правила › Запись');
    }
    const all = chunks.map((c) => c.text).join('\n');
    for (const p of paragraphs) expect(all).toContain(p);
  });

  test('a paragraph longer than a chunk is split at sentence ends; a sentence longer than a chunk at a space', () => {
    const long = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = importMarkdown(`# Правила\n\n${long}`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
      expect(chunk.text.endsWith('подробно.')).toBe(true);
    }
    const words = Array.from({ length: 500 }, (_, i) => `слово${i}`).join(' ');
    const hard = importText(words);
    expect(hard.length).toBeGreaterThan(1);
    for (const chunk of hard) expect(chunk.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    expect(hard.map((c) => c.text).join(' ')).toBe(words);
  });

  test('a heading with nothing under it makes no chunk', () => {
    expect(importMarkdown('# Только заголовок\n## И ещё\n')).toEqual([]);
  });
});

describe('plain text', () => {
  test('one chunk per paragraph', () => {
    expect(importText('Первый абзац,\nвторая строка.\r\n\r\n  \nВторой абзац.\n').map((c) => c.text)).toEqual(['Первый абзац,\nвторая строка.', 'Второй абзац.']);
  });
});

describe('CSV', () => {
  test('columns in any order and case, extra columns ignored, RFC 4180 quoting', () => {
    const csv = 'id,Answer,QUESTION\r\n1,"15 000 ₸, около часа",Сколько стоит чистка?\r\n2,"Он сказал: ""приходите""\nв любой день","Когда, где?"\r\n\r\n3,  Да  ,Есть парковка?';
    expect(importCsv(csv, 'faq.csv')).toEqual([
      { heading: null, question: 'Сколько стоит чистка?', answer: '15 000 ₸, около часа', text: 'Сколько стоит чистка?\n15 000 ₸, около часа' },
      { heading: null, question: 'Когда, где?', answer: 'Он сказал: "приходите"\nв любой день', text: 'Когда, где?\nОн сказал: "приходите"\nв любой день' },
      { heading: null, question: 'Есть парковка?', answer: 'Да', text: 'Есть парковка?\nДа' },
    ]);
  });

  test('a semicolon header switches the delimiter (spreadsheets in Russian locales)', () => {
    expect(importCsv('question;answer\nЦена?;"15 000; со скидкой 12 000"\n', 'faq.csv').map((c) => c.answer)).toEqual(['15 000; со скидкой 12 000']);
  });

  test('a header without the columns names the file, what was found and the fix', () => {
    expect(userError(() => importCsv('вопрос,ответ\nа,б\n', 'faq.csv'))).toBe(
      'faq.csv has no question and answer column in its header row (found: вопрос, ответ): make the first row name the columns, e.g. question,answer, and put one question and its answer in each row below',
    );
    expect(userError(() => importCsv('question,reply\na,b\n', 'faq.csv'))).toMatch(/^faq\.csv has no answer column/);
  });

  test('a row with a missing answer is reported with its line, counting line breaks inside quoted fields', () => {
    // The first row spans lines 2-4 (two quoted fields hold a line break each), so the broken row is on line 5.
    const csv = 'question,answer\n"Много\nстрок?","Да,\nмного"\nГде вы?,\n';
    expect(userError(() => importCsv(csv, 'faq.csv'))).toBe(
      'faq.csv line 5: the answer to "Где вы?" is missing: write the answer in that row (quote it if it holds commas: "…") or delete the row, then add the file again',
    );
    expect(userError(() => importCsv('question,answer\nЦена?\n', 'faq.csv'))).toMatch(/^faq\.csv line 2: the answer to "Цена\?" is missing/);
    expect(userError(() => importCsv('question,answer\n,ответ\n', 'faq.csv'))).toMatch(/^faq\.csv line 2: the question is empty/);
  });

  test('broken quoting and a header alone are reported', () => {
    expect(userError(() => importCsv('question,answer\nа,"не закрыта\n', 'faq.csv'))).toMatch(/^faq\.csv line 2: a quoted field is never closed: add the closing double quote/);
    expect(userError(() => importCsv('question,answer\n"а"б,в\n', 'faq.csv'))).toMatch(/^faq\.csv line 2: text follows a closing quote/);
    expect(userError(() => importCsv('question,answer\n', 'faq.csv'))).toMatch(/^faq\.csv has a header row but no questions/);
  });
});

describe('JSON FAQ', () => {
  test('a list of items, or {"faq": [...]}; other fields ignored', () => {
    const expected = [{ heading: null, question: 'Где вы?', answer: 'Абая, 52', text: 'Где вы?\nАбая, 52' }];
    expect(importJson('[{"id": 7, "question": " Где вы? ", "answer": "Абая, 52"}]', 'faq.json')).toEqual(expected);
    expect(importJson('{"faq": [{"question": "Где вы?", "answer": "Абая, 52"}]}', 'faq.json')).toEqual(expected);
  });

  test('bad JSON names the line and column', () => {
    expect(userError(() => importJson('[\n  {"question": "a",\n   "answer": "b",}\n]', 'faq.json'))).toBe(
      'faq.json is not valid JSON: Expected double-quoted property name in JSON at position 39 (line 3, column 18): fix the JSON there (a missing comma or quote, or a trailing comma, is the usual cause) and add the file again',
    );
    expect(userError(() => importJson('[{"question": "a"', 'faq.json'))).toMatch(/^faq\.json is not valid JSON: .*the file ends before the JSON is closed/);
  });

  test('wrong shapes and items without an answer are reported by item number', () => {
    expect(userError(() => importJson('{"items": []}', 'faq.json'))).toMatch(/^faq\.json is not an FAQ list: write a list of questions and answers/);
    expect(userError(() => importJson('[]', 'faq.json'))).toMatch(/^faq\.json has an empty FAQ list/);
    expect(userError(() => importJson('[{"question": "a", "answer": "b"}, "c"]', 'faq.json'))).toMatch(/^faq\.json item 2 is not an object/);
    expect(userError(() => importJson('[{"question": "a", "answer": "b"}, {"question": "Цена?", "answer": "  "}]', 'faq.json'))).toBe(
      'faq.json item 2 ("Цена?") has no answer: give every item a non-empty "answer" text, or delete the item, and add the file again',
    );
    expect(userError(() => importJson('[{"answer": "b"}]', 'faq.json'))).toMatch(/^faq\.json item 1 has no question/);
  });
});

describe('reading a source file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'botctl-kb-files-'));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  test('format by extension, or --format; unknown ones are refused with the fix', () => {
    expect(['a.md', 'b.MARKDOWN', 'c.txt', 'd.csv', 'e.json'].map((n) => formatOf(n))).toEqual(['md', 'md', 'txt', 'csv', 'json']);
    expect(formatOf('export.dat', 'csv')).toBe('csv');
    expect(userError(() => formatOf('prices.xlsx'))).toBe(
      'prices.xlsx has an extension botctl does not import (.xlsx): save it as .md, .markdown, .txt, .csv or .json, or name its format with --format md|txt|csv|json',
    );
    expect(userError(() => formatOf('a.md', 'pdf'))).toMatch(/^unknown format "pdf": use --format with one of md, txt, csv, json/);
    expect([isSupportedFile('faq.json'), isSupportedFile('.hidden.md'), isSupportedFile('logo.png')]).toEqual([true, false, false]);
  });

  test('reads UTF-8 with a BOM, names the source by its file name, and gives a stable checksum', () => {
    const path = write('faq.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('question,answer\nЦена?,15 000 ₸\n')]));
    const source = readSource(path);
    expect(source).toMatchObject({ name: 'faq.csv', path, format: 'csv' });
    expect(source.chunks.map((c) => c.question)).toEqual(['Цена?']);
    expect(readSource(path).checksum).toBe(source.checksum);
    expect(readSource(path, { format: 'txt' }).checksum).not.toBe(source.checksum);
  });

  test('empty, headings-only, non-UTF-8, over 5 MB, missing files and folders are refused with the file named', () => {
    expect(userError(() => readSource(write('empty.md', '')))).toBe("empty.md is empty: write the business's facts in it, or leave the file out");
    expect(userError(() => readSource(write('blank.txt', ' \n\n\t\n')))).toMatch(/^blank\.txt is empty/);
    expect(userError(() => readSource(write('titles.md', '# A\n## B\n')))).toMatch(/^titles\.md has headings but no text to import/);
    // "Цена" in Windows-1251, the usual culprit.
    const cp1251 = Buffer.concat([Buffer.from('Price: '), Buffer.from([0xd6, 0xe5, 0xed, 0xe0])]);
    expect(userError(() => readSource(write('prices.txt', cp1251)))).toBe(
      'prices.txt is not UTF-8 text (invalid byte at offset 7): save it as UTF-8 in the editor, or convert it, e.g. iconv -f WINDOWS-1251 -t UTF-8 prices.txt > utf8-prices.txt',
    );
    const big = write('big.txt', Buffer.alloc(MAX_SOURCE_BYTES + 1, 'a'));
    expect(userError(() => readSource(big))).toBe('big.txt is 5.0 MB, over the 5 MB limit of a knowledge file: split it into several files by topic (each one a source), and add those');
    expect(userError(() => readSource(join(dir, 'nope.md')))).toBe(`${join(dir, 'nope.md')} does not exist: check the path (it is relative to the current folder)`);
    mkdirSync(join(dir, 'folder.md'));
    expect(userError(() => readSource(join(dir, 'folder.md')))).toMatch(/folder\.md is a folder: import every file in it with: botctl kb import/);
  });

  test('valid UTF-8 that is not text (NUL and control bytes, UTF-16 without a BOM) is refused with the fix, and nothing is chunked', () => {
    const utf16 = Buffer.from('Price: 15 000\n', 'utf16le');
    expect(userError(() => readSource(write('utf16.txt', utf16)))).toBe(
      'utf16.txt is not plain UTF-8 text: it looks like UTF-16 text: re-save it as UTF-8 in the editor, or convert it, e.g. iconv -f UTF-16LE -t UTF-8 utf16.txt > utf8-utf16.txt',
    );
    const binary = Buffer.concat([Buffer.from('# Prices\n\nCleaning '), Buffer.from([0x01, 0x02, 0x1b]), Buffer.from(' 15 000\n')]);
    expect(userError(() => readSource(write('binary.md', binary)))).toBe(
      'binary.md is not plain text: it holds a control byte 0x01 at offset 19 (binary data): re-save it as UTF-8 text from the editor (export documents and spreadsheets as .txt, .md or .csv), and add that file',
    );
    // Tabs, line feeds, carriage returns and form feeds are text.
    expect(readSource(write('ok.txt', 'Cleaning\t15 000\r\n\fWhitening 45 000\n')).chunks.length).toBeGreaterThan(0);
  });

  test('parseSource passes the file name into format errors', () => {
    expect(userError(() => parseSource('faq.json', 'json', Buffer.from('{')))).toMatch(/^faq\.json is not valid JSON/);
  });
});
