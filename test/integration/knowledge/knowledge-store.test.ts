import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openCell, type Cell } from '../../../src/cell.js';
import { loadConfig } from '../../../src/config/load.js';
import { writeEnvFile } from '../../../src/config/write-env-file.js';
import { UserError } from '../../../src/errors.js';
import { KnowledgeService } from '../../../src/knowledge/knowledge-service.js';
import { templatesDir } from '../../../src/paths.js';
import { AuditStore } from '../../../src/storage/audit-store.js';
import { KnowledgeStore } from '../../../src/storage/knowledge-store.js';
import { TenantService } from '../../../src/tenants/tenant-service.js';

const EXAMPLE = join(templatesDir, 'examples', 'dental-almaty', 'knowledge');
const cells: Cell[] = [];
afterEach(() => {
  for (const cell of cells.splice(0)) cell.close();
});

/** A real cell: env file with a fresh key, a SQLite file in a temp folder, every migration applied. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'botctl-kb-'));
  const envFile = join(dir, 'botctl.env');
  writeEnvFile(envFile, join(dir, 'data'), false);
  const cell = openCell(loadConfig({ envFile, env: {} }), { schema: 'apply' });
  cells.push(cell);
  const tenants = new TenantService(cell);
  const kb = new KnowledgeService(cell);
  const store = new KnowledgeStore(cell.db);
  const tenant = (slug: string) => tenants.add(slug, { name: slug, timezone: 'Asia/Almaty' });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  /** Index rows of a tenant: must always equal its chunk count (no orphans, none missing). */
  const indexed = (tenantId: number) => store.countIndexed(tenantId);
  return { cell, dir, tenants, kb, store, tenant, file, indexed };
}

describe('knowledge search', () => {
  test('ranks the chunk that answers the question first, in Russian, English and Kazakh', () => {
    const { kb, tenant } = setup();
    const dental = tenant('dental');
    const result = kb.importDir('dental', EXAMPLE);
    expect(result.sources.map((s) => [s.name, s.status])).toEqual([
      ['faq-en.csv', 'added'], ['faq.json', 'added'], ['hours-and-address.md', 'added'], ['kk.md', 'added'], ['services.md', 'added'],
    ]);
    const top = (query: string) => kb.search(dental.id, query)[0];

    expect(top('Сколько стоит профессиональная чистка зубов?')).toMatchObject({ sourceName: 'faq.json', question: 'Сколько стоит профессиональная чистка зубов?' });
    expect(top('сколько стоит профессиональную чистку')?.answer).toContain('15 000 ₸');
    expect(top('где вы находитесь')).toMatchObject({ question: 'Где вы находитесь?' });
    expect(top('How much is teeth whitening?')).toMatchObject({ sourceName: 'faq-en.csv', question: 'How much is teeth whitening?' });
    expect(top('как добраться на метро')).toMatchObject({ sourceName: 'hours-and-address.md', heading: 'Режим работы и адрес › Как добраться' });
    expect(top('имплантация')?.heading).toBe('Услуги и цены › Имплантация и протезирование');
    expect(top('тіс ағарту бағасы')?.sourceName).toBe('kk.md');

    const hits = kb.search(dental.id, 'чистка', { limit: 3 });
    expect(hits).toHaveLength(3);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits[0]!.snippet).toMatch(/\[[Чч]истка\]/);
    expect(kb.search(dental.id, 'и в на, the')).toEqual([]);
  });

  test('"елка" finds "ёлка" and "ёлка" finds "елка"', () => {
    const { kb, tenant, file } = setup();
    const t = tenant('shop');
    kb.addFile('shop', file('a.txt', 'Новогодняя ёлка стоит в холле.\n\nЗапись по телефону.'));
    kb.addFile('shop', file('b.txt', 'Живая елка на детском празднике.'));
    const texts = (q: string) => kb.search(t.id, q).map((h) => h.text).sort();
    const both = ['Живая елка на детском празднике.', 'Новогодняя ёлка стоит в холле.'];
    expect(texts('елка')).toEqual(both);
    expect(texts('ЁЛКА')).toEqual(both);
    expect(texts('ёлку')).toEqual(both);
  });

  test('Kazakh words are found with and without their special letters, in both directions', () => {
    const { kb, tenant, file } = setup();
    const t = tenant('kz');
    kb.addFile('kz', file('kk.md', '# Қызметтер\n\nБіз тұрғын үй кешенінде орналасқанбыз.\n\n# Төлем\n\nKaspi QR қабылдаймыз.'));
    kb.addFile('kz', file('typed.txt', 'Кызмет корсету уакыты: дуйсенби - жума.'));
    const sources = (q: string) => kb.search(t.id, q).map((h) => h.text.split('\n')[0]);
    expect(sources('қызмет')).toEqual(expect.arrayContaining(['Қызметтер', 'Кызмет корсету уакыты: дуйсенби - жума.']));
    expect(sources('кызмет')).toEqual(expect.arrayContaining(['Қызметтер', 'Кызмет корсету уакыты: дуйсенби - жума.']));
    expect(sources('үй')).toEqual(['Қызметтер']);
    expect(sources('уй')).toEqual(['Қызметтер']);
    expect(sources('төлем')).toEqual(['Төлем']);
    expect(sources('толем')).toEqual(['Төлем']);
    expect(sources('дүйсенбі')).toEqual(['Кызмет корсету уакыты: дуйсенби - жума.']);
  });

  test('Russian word forms match each other; a short stem does not spill into other words', () => {
    const { kb, tenant, file } = setup();
    const t = tenant('forms');
    kb.addFile('forms', file('a.md', '# Гигиена\n\nПрофессиональная чистка зубов — 15 000 ₸.\n\n# Адрес\n\nТорговый центр «Мега».'));
    const headings = (q: string) => kb.search(t.id, q).map((h) => h.heading);
    for (const form of ['чистка', 'чистку', 'чистки', 'чисткой', 'зубы', 'зуб', 'профессиональной', '15000', '15 000']) {
      expect(headings(form), form).toEqual(['Гигиена']);
    }
    expect(headings('центре')).toEqual(['Адрес']);
    expect(headings('цена')).toEqual([]);
  });

  test('the forms of a short stem are read from the tenant\'s own words, and follow replacements and removals', () => {
    const { kb, tenant, file } = setup();
    const t = tenant('forms');
    const other = tenant('other');
    kb.addFile('other', file('o.md', '# Цены\n\nЦена чистки 9 000 ₸, ценой ниже.'));
    const prices = file('prices.md', '# Прайс\n\nЦеной вопроса займётся администратор.\n\n# Адрес\n\nТорговый центр «Мега».');
    kb.addFile('forms', prices);
    const headings = (q: string) => kb.search(t.id, q).map((h) => h.heading);
    expect(headings('цена')).toEqual(['Прайс']);
    expect(headings('цены')).toEqual(['Прайс']);
    expect(headings('цен')).toEqual(['Прайс']);
    writeFileSync(prices, '# Прайс\n\nЦены уточняйте у администратора.\n\n# Адрес\n\nТорговый центр «Мега».');
    kb.addFile('forms', prices);
    expect(headings('ценой')).toEqual(['Прайс']);
    kb.remove('forms', 'prices.md');
    expect(headings('цена')).toEqual([]);
    expect(kb.search(other.id, 'цена').map((h) => h.heading)).toEqual(['Цены']);
  });

  test("tenant A's chunks never appear in tenant B's search, even with identical words or injected syntax", () => {
    const { kb, tenant, file, store } = setup();
    const a = tenant('a-clinic');
    const b = tenant('b-clinic');
    const same = file('same.md', '# Цены\n\nЧистка зубов — 15 000 ₸.');
    kb.addFile('a-clinic', same);
    kb.addFile('b-clinic', same);
    kb.addFile('b-clinic', file('secret.txt', 'Секретнаяскидка для своих: чистка за 5 000 ₸.'));
    const aChunkIds = new Set(kb.show('a-clinic', 'same.md').chunks.map((c) => c.id));
    const bChunkIds = new Set([...kb.show('b-clinic', 'same.md').chunks, ...kb.show('b-clinic', 'secret.txt').chunks].map((c) => c.id));

    const inA = kb.search(a.id, 'чистка зубов 15000', { limit: 50 });
    expect(inA.map((h) => h.chunkId)).toEqual([...aChunkIds]);
    expect(kb.search(b.id, 'чистка', { limit: 50 }).every((h) => bChunkIds.has(h.chunkId))).toBe(true);
    expect(kb.search(a.id, 'секретнаяскидка')).toEqual([]);
    for (const attack of [`" OR t${b.id}xсекретнаяскидка`, `t${b.id}xсекретнаяскидка`, `") OR ("t${b.id}x"*`, `"t${b.id}xсекр"*`]) {
      expect(kb.search(a.id, attack, { limit: 50 }).filter((h) => !aChunkIds.has(h.chunkId)), attack).toEqual([]);
    }
    expect(kb.findFaq(a.id, 'Секретнаяскидка для своих')).toBeNull();
    expect(store.countIndexed(b.id)).toBe(2);
    expect(store.countIndexed(a.id)).toBe(1);
  });
});

describe('knowledge sources', () => {
  test('re-importing a file replaces its chunks in one step; an equal file is reported unchanged', () => {
    const { kb, tenant, file, store, indexed } = setup();
    const t = tenant('dental');
    const path = file('prices.md', '# Цены\n\nСтарая цена чистки 10 000 ₸.\n\n# Акции\n\nСкидка пенсионерам.');
    expect(kb.addFile('dental', path)).toEqual({ name: 'prices.md', format: 'md', status: 'added', chunks: 2 });
    const first = kb.list('dental')[0]!;

    writeFileSync(path, '# Цены\n\nНовая цена чистки 12 000 ₸.');
    expect(kb.addFile('dental', path)).toEqual({ name: 'prices.md', format: 'md', status: 'replaced', chunks: 1 });
    expect(kb.search(t.id, 'старая')).toEqual([]);
    expect(kb.search(t.id, 'скидка пенсионерам')).toEqual([]);
    expect(kb.search(t.id, 'новая цена')[0]?.text).toBe('Цены\n\nНовая цена чистки 12 000 ₸.');
    const replaced = kb.list('dental');
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ id: first.id, createdAt: first.createdAt, chunkCount: 1 });
    expect(indexed(t.id)).toBe(store.countChunks(t.id));
    expect(indexed(t.id)).toBe(1);

    const chunkIds = kb.show('dental', 'prices.md').chunks.map((c) => c.id);
    expect(kb.addFile('dental', path)).toEqual({ name: 'prices.md', format: 'md', status: 'unchanged', chunks: 1 });
    expect(kb.show('dental', 'prices.md').chunks.map((c) => c.id)).toEqual(chunkIds);
  });

  test('removing a source removes its chunks and index rows, and every change is in the audit log', () => {
    const { cell, kb, tenant, file, store, indexed } = setup();
    const t = tenant('dental');
    kb.importDir('dental', EXAMPLE);
    kb.addFile('dental', file('extra.txt', 'Дополнительный факт.'));
    const before = store.countChunks(t.id);
    const faqChunks = kb.show('dental', 'faq.json').chunks.length;
    expect(kb.remove('dental', 'faq.json')).toBe(faqChunks);
    expect(store.countChunks(t.id)).toBe(before - faqChunks);
    expect(indexed(t.id)).toBe(before - faqChunks);
    expect(kb.search(t.id, 'Лечение проходит под анестезией').some((h) => h.sourceName === 'faq.json')).toBe(false);
    expect(() => kb.show('dental', 'faq.json')).toThrow(UserError);
    expect(() => kb.remove('dental', 'faq.json')).toThrow('tenant dental has no knowledge source "faq.json"');

    const audit = new AuditStore(cell.db).list({ tenantSlug: 'dental' });
    expect(audit.map((e) => e.action).slice(0, 3)).toEqual(['kb.remove', 'kb.add', 'kb.import']);
    expect(audit[0]!.detail).toEqual({ source: 'faq.json', chunks: faqChunks });
    expect(audit[2]!.detail).toMatchObject({ dir: EXAMPLE, skipped: [] });
  });

  test('removing a tenant removes its sources, chunks and index rows, and leaves other tenants alone', () => {
    const { cell, tenants, kb, tenant, store, indexed } = setup();
    const gone = tenant('gone');
    const kept = tenant('kept');
    kb.importDir('gone', EXAMPLE);
    kb.importDir('kept', EXAMPLE);
    const keptChunks = store.countChunks(kept.id);
    expect(indexed(gone.id)).toBeGreaterThan(0);

    tenants.remove('gone');
    const count = (table: string) => (cell.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).get(gone.id) as { n: number }).n;
    expect([count('kb_sources'), count('kb_chunks'), indexed(gone.id)]).toEqual([0, 0, 0]);
    expect(store.countMatches(`"t${gone.id}xчистк"*`)).toBe(0);
    expect(store.countMatches(`"t${kept.id}xчистк"*`)).toBe(kb.search(kept.id, 'чистка', { limit: 50 }).length);
    expect([store.countChunks(kept.id), indexed(kept.id)]).toEqual([keptChunks, keptChunks]);
  });

  test('a folder with one broken file imports nothing; so does a list of files with one missing', () => {
    const { cell, kb, tenant, dir, file } = setup();
    tenant('dental');
    file('good.md', '# Часы\n\nПн–Пт 09:00–19:00.');
    file('bad.csv', 'question,answer\nГде вы?,\n');
    file('notes.docx', 'ignored');
    expect(() => kb.importDir('dental', dir)).toThrow('bad.csv line 2: the answer to "Где вы?" is missing');
    expect(() => kb.addFiles('dental', [join(dir, 'good.md'), join(dir, 'missing.json')])).toThrow(/missing\.json does not exist/);
    expect(() => kb.addFile('nobody', join(dir, 'good.md'))).toThrow('there is no tenant "nobody"');
    expect(kb.list('dental')).toEqual([]);
    expect((cell.db.prepare('SELECT count(*) AS n FROM kb_chunks').get() as { n: number }).n).toBe(0);
    expect(new AuditStore(cell.db).list({ tenantSlug: 'dental' }).filter((e) => e.action.startsWith('kb.'))).toEqual([]);
  });

  test('a folder imports its supported files only and reports the rest as skipped', () => {
    const { kb, tenant, file, dir } = setup();
    tenant('dental');
    file('a.md', '# A\n\nтекст');
    file('b.json', '[{"question": "Где?", "answer": "Здесь."}]');
    file('logo.png', 'png');
    file('.hidden.md', '# H\n\nскрыто');
    expect(kb.importDir('dental', dir)).toEqual({
      sources: [{ name: 'a.md', format: 'md', status: 'added', chunks: 1 }, { name: 'b.json', format: 'json', status: 'added', chunks: 1 }],
      skipped: ['.hidden.md', 'botctl.env', 'data', 'logo.png'],
    });
  });
});

describe('findFaq', () => {
  test('finds the FAQ with an equal or nearly equal question, and nothing for a different one', () => {
    const { kb, tenant } = setup();
    const t = tenant('dental');
    kb.importDir('dental', EXAMPLE);
    expect(kb.findFaq(t.id, 'Где вы находитесь?')).toMatchObject({ sourceName: 'faq.json', question: 'Где вы находитесь?', similarity: 1 });
    expect(kb.findFaq(t.id, '  где ВЫ находитесь ')).toMatchObject({ question: 'Где вы находитесь?', similarity: 1 });
    // Greeting and a different word form: the stem sets are equal.
    const near = kb.findFaq(t.id, 'Здравствуйте! Сколько стоит профессиональную чистку зубов');
    expect(near).toMatchObject({ question: 'Сколько стоит профессиональная чистка зубов?', similarity: 1 });
    expect(near?.answer).toContain('15 000 ₸');
    expect(kb.findFaq(t.id, 'where are you located')).toMatchObject({ sourceName: 'faq-en.csv', similarity: 1 });
    // One word more (5 of 6 stems shared) or one word less (4 of 5) is still the same question.
    expect(kb.findFaq(t.id, 'Сколько стоит профессиональная чистка зубов сейчас?')?.similarity).toBeCloseTo(5 / 6);
    expect(kb.findFaq(t.id, 'Сколько стоит чистка зубов?')).toMatchObject({ question: 'Сколько стоит профессиональная чистка зубов?', similarity: 0.8 });
    // A different subject shares too few words.
    expect(kb.findFaq(t.id, 'Сколько стоит лечение зубов у ребёнка?')).toBeNull();
    expect(kb.findFaq(t.id, 'Сколько стоит чистка зубов у ребёнка с брекетами?')).toBeNull();
    expect(kb.findFaq(t.id, 'Здравствуйте!')).toBeNull();
    expect(kb.findFaq(tenant('other').id, 'Где вы находитесь?')).toBeNull();
  });
});
