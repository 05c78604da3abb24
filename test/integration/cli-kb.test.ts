import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { templatesDir } from '../../src/paths.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';
import { snapshot } from '../helpers/db.js';

const EXAMPLE = join(templatesDir, 'examples', 'dental-almaty', 'knowledge');
const EXAMPLE_FILES = readdirSync(EXAMPLE).sort().map((name) => join(EXAMPLE, name));

/** A fresh cell with the tenant `dental` added by the real `tenant add`. */
async function dentalCell(): Promise<TempCell> {
  const cell = await initCell();
  const added = await botctl(['tenant', 'add', 'dental', '--name', 'Smile Dental', '--timezone', 'Asia/Almaty'], cell.env);
  expect(added.stderr).not.toMatch(/^Error/m);
  expect(added.exitCode).toBe(0);
  return cell;
}

interface JsonHit { rank: number; score: number; sourceName: string; heading: string | null; snippet: string; text: string }

async function searchJson(cell: TempCell, query: string): Promise<JsonHit[]> {
  const result = await botctl(['kb', 'search', 'dental', query, '--json'], cell.env);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as JsonHit[];
}

describe('botctl kb', () => {
  test('kb add refuses a UTF-16 file saved without a BOM, naming the fix, and stores nothing', async () => {
    const cell = await dentalCell();
    const file = join(cell.dir, 'prices.txt');
    writeFileSync(file, Buffer.from('Чистка зубов — 15 000 ₸\n', 'utf16le'));
    const before = snapshot(cell.dataDir);
    const add = await botctl(['kb', 'add', 'dental', file], cell.env);
    expect(add.exitCode).toBe(1);
    expect(add.stderr).toContain('prices.txt is not plain UTF-8 text: it looks like UTF-16 text');
    expect(add.stderr).toContain('re-save it as UTF-8 in the editor, or convert it, e.g. iconv -f UTF-16LE -t UTF-8');
    expect(snapshot(cell.dataDir)).toEqual(before);
  });

  test('adds the example files, lists them, shows and searches them', async () => {
    const cell = await dentalCell();
    const add = await botctl(['kb', 'add', 'dental', ...EXAMPLE_FILES], cell.env);
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/faq-en\.csv\s+csv\s+10 chunks\s+added/);
    expect(add.stdout).toMatch(/faq\.json\s+json\s+14 chunks\s+added/);

    const list = await botctl(['kb', 'list', 'dental', '--json'], cell.env);
    expect(list.exitCode).toBe(0);
    const sources = JSON.parse(list.stdout) as { name: string; format: string; chunks: number }[];
    expect(sources.map((s) => [s.name, s.format])).toEqual([
      ['faq-en.csv', 'csv'], ['faq.json', 'json'], ['hours-and-address.md', 'md'], ['kk.md', 'md'], ['services.md', 'md'],
    ]);
    for (const s of sources) expect(s.chunks).toBeGreaterThan(0);

    const show = await botctl(['kb', 'show', 'dental', 'faq-en.csv', '--json'], cell.env);
    const shown = JSON.parse(show.stdout) as { chunks: { question: string; answer: string }[] };
    expect(shown.chunks).toHaveLength(10);
    expect(shown.chunks.find((c) => c.question === 'Where are you located?')?.answer).toContain('from the "Baikonur" metro station');
    expect(shown.chunks.find((c) => c.question === 'How much is a dental implant?')?.answer).toContain('from 180,000 ₸; a zirconia crown on the implant from 90,000 ₸.\nThe dentist');

    const text = await botctl(['kb', 'search', 'dental', 'сколько стоит чистка зубов', '--limit', '2'], cell.env);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^ 1\. score \d+(\.\d+)?\s+faq\.json\n\s+\[Сколько\] \[стоит\] профессиональная \[чистка\] \[зубов\]\?.*15 000 ₸/m);
    expect(text.stdout).toMatch(/^ 2\. score /m);
    expect(text.stdout).not.toMatch(/^ 3\. /m);

    const again = await botctl(['kb', 'import', 'dental', EXAMPLE], cell.env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.match(/unchanged \(same content\), kept/g)).toHaveLength(5);
  }, 60_000);

  test('`botctl kb search` finds "ёлка" for "елка" and Kazakh words with and without their special letters', async () => {
    const cell = await dentalCell();
    expect((await botctl(['kb', 'import', 'dental', EXAMPLE], cell.env)).exitCode).toBe(0);

    for (const query of ['елка', 'ёлка', 'Ёлку']) {
      const [first] = await searchJson(cell, query);
      expect(first, query).toMatchObject({ rank: 1, sourceName: 'services.md', heading: 'Услуги и цены › Детская стоматология' });
      expect(first!.snippet).toContain('новогодняя [ёлка]');
    }
    for (const [query, heading] of [
      ['қызмет', 'Smile Dental — қазақша ақпарат › Қызметтер мен бағалар'],
      ['кызмет', 'Smile Dental — қазақша ақпарат › Қызметтер мен бағалар'],
      ['үй', 'Smile Dental — қазақша ақпарат › Мекенжай және жұмыс уақыты'],
      ['уй', 'Smile Dental — қазақша ақпарат › Мекенжай және жұмыс уақыты'],
      ['тісті ағарту', 'Smile Dental — қазақша ақпарат › Қызметтер мен бағалар'],
      ['тисти агарту', 'Smile Dental — қазақша ақпарат › Қызметтер мен бағалар'],
    ]) {
      const hits = await searchJson(cell, query!);
      expect(hits[0], query).toMatchObject({ sourceName: 'kk.md', heading });
    }
    const printed = await botctl(['kb', 'search', 'dental', 'кызмет'], cell.env);
    expect(printed.stdout).toContain('kk.md  Smile Dental — қазақша ақпарат › Қызметтер мен бағалар');
    expect(printed.stdout).toContain('[Қызметтер]');

    const nothing = await botctl(['kb', 'search', 'dental', '" OR tenant_key:t1 *'], cell.env);
    expect(nothing.exitCode).toBe(0);
    expect(nothing.stdout).toContain('Nothing in the knowledge of dental matches');
  }, 60_000);

  test('a broken file exits non-zero with its message and leaves the database unchanged', async () => {
    const cell = await dentalCell();
    expect((await botctl(['kb', 'add', 'dental', join(EXAMPLE, 'services.md')], cell.env)).exitCode).toBe(0);
    const broken = join(cell.dir, 'broken.json');
    writeFileSync(broken, '[\n  {"question": "Где вы?", "answer": "Абая, 52"}\n  {"question": "Цена?"}\n]');
    const missing = join(cell.dir, 'missing.csv');
    writeFileSync(missing, 'question,answer\nГде вы?,Абая 52\nЦена?\n');
    const before = snapshot(cell.dataDir);

    const json = await botctl(['kb', 'add', 'dental', join(EXAMPLE, 'faq.json'), broken], cell.env);
    expect(json.exitCode).toBe(1);
    expect(json.stderr).toMatch(/^Error: broken\.json is not valid JSON: Expected ',' or '\]' after array element in JSON at position \d+ \(line 3, column 3\): fix the JSON there/m);
    const csv = await botctl(['kb', 'add', 'dental', missing], cell.env);
    expect(csv.exitCode).toBe(1);
    expect(csv.stderr).toContain('Error: missing.csv line 3: the answer to "Цена?" is missing: write the answer in that row');
    const ext = await botctl(['kb', 'add', 'dental', join(cell.dir, 'botctl.env')], cell.env);
    expect(ext.exitCode).toBe(1);
    expect(ext.stderr).toContain('Error: botctl.env has an extension botctl does not import (.env)');
    const folder = await botctl(['kb', 'import', 'dental', cell.dir], cell.env);
    expect(folder.exitCode).toBe(1);
    expect(folder.stderr).toContain('Error: broken.json is not valid JSON');

    expect(snapshot(cell.dataDir)).toEqual(before);
  }, 60_000);

  test('remove refuses without --yes and says what it would delete; with --yes it deletes', async () => {
    const cell = await dentalCell();
    expect((await botctl(['kb', 'add', 'dental', join(EXAMPLE, 'faq.json'), join(EXAMPLE, 'services.md')], cell.env)).exitCode).toBe(0);
    const before = snapshot(cell.dataDir);

    const refused = await botctl(['kb', 'remove', 'dental', 'faq.json'], cell.env);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error: removing faq.json from the knowledge of dental deletes its 14 chunks, and the bot will no longer answer from it: run botctl kb remove dental faq.json --yes to confirm.');
    expect(snapshot(cell.dataDir)).toEqual(before);

    const unknown = await botctl(['kb', 'remove', 'dental', 'nope.md', '--yes'], cell.env);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Error: tenant dental has no knowledge source "nope.md": see its sources with: botctl kb list dental.');

    const removed = await botctl(['kb', 'remove', 'dental', 'faq.json', '--yes'], cell.env);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Removed faq.json from the knowledge of dental: deleted 14 chunks.');
    const list = JSON.parse((await botctl(['kb', 'list', 'dental', '--json'], cell.env)).stdout) as { name: string }[];
    expect(list.map((s) => s.name)).toEqual(['services.md']);
    expect((await searchJson(cell, 'Лечение проходит под анестезией')).map((h) => h.sourceName)).not.toContain('faq.json');
  }, 60_000);

  test('every kb command has a summary and an example in its help', async () => {
    for (const command of ['add', 'import', 'list', 'show', 'remove', 'search']) {
      const help = await botctl(['kb', command, '--help']);
      expect(help.exitCode, command).toBe(0);
      expect(help.stdout, command).toContain('EXAMPLES');
      expect(help.stdout, command).toContain(`$ botctl kb ${command} dental-almaty`);
    }
    const topics = await botctl(['--help']);
    expect(topics.stdout).toMatch(/kb\s+Add, list, inspect, search and remove the knowledge/);
  }, 60_000);
});
