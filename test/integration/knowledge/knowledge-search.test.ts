import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openCell, type Cell } from '../../../src/cell.js';
import { loadConfig } from '../../../src/config/load.js';
import { writeEnvFile } from '../../../src/config/write-env-file.js';
import { embedTenant } from '../../../src/knowledge/embeddings/embed-job.js';
import { EmbeddingError, normalise, type EmbedderPort } from '../../../src/knowledge/embeddings/embedder.js';
import { KnowledgeSearch } from '../../../src/knowledge/knowledge-search.js';
import { KnowledgeService } from '../../../src/knowledge/knowledge-service.js';
import { VectorStore } from '../../../src/storage/vector-store.js';
import { TenantService } from '../../../src/tenants/tenant-service.js';

const cells: Cell[] = [];
afterEach(() => {
  for (const cell of cells.splice(0)) cell.close();
});

/**
 * A recording fake of the embeddings API (the network edge): a text's vector is a one-hot of a keyword it contains
 * (or of the whole text), so a test decides exactly which chunk is "nearest"; `fail` makes calls throw.
 */
class FakeEmbedder implements EmbedderPort {
  readonly model = 'fake-embed';
  readonly calls: string[][] = [];
  fail: EmbeddingError | null = null;
  constructor(private readonly axes: string[]) {}
  async embed(texts: readonly string[]): Promise<{ vectors: Float32Array[]; tokens: number }> {
    this.calls.push([...texts]);
    if (this.fail) throw this.fail;
    return { vectors: texts.map((t) => this.vector(t)), tokens: texts.length * 10 };
  }
  vector(text: string): Float32Array {
    const v = new Float32Array(this.axes.length + 1);
    const axis = this.axes.findIndex((a) => text.toLowerCase().includes(a));
    v[axis < 0 ? this.axes.length : axis] = 1;
    return normalise(v);
  }
}

function setup(budgetTokens = 16_000) {
  const dir = mkdtempSync(join(tmpdir(), 'botctl-ks-'));
  const envFile = join(dir, 'botctl.env');
  writeEnvFile(envFile, join(dir, 'data'), false);
  const cell = openCell(loadConfig({ envFile, env: {} }), { schema: 'apply' });
  cells.push(cell);
  const tenants = new TenantService(cell);
  const kb = new KnowledgeService(cell);
  // Files are named <slug>-<name>, which is also their source name.
  const add = (slug: string, files: Record<string, string>) => {
    kb.addFiles(slug, Object.entries(files).map(([name, text]) => {
      const path = join(dir, `${slug}-${name}`);
      writeFileSync(path, text);
      return path;
    }));
  };
  const tenant = (slug: string) => tenants.add(slug, { name: slug, timezone: 'Asia/Almaty' }).id;
  const embedder = new FakeEmbedder(['кислород', 'кофе', 'гарантия']);
  const search = new KnowledgeSearch(cell.db, { budgetTokens, encoding: 'o200k_base', embedder, embedTimeoutMs: 500 });
  const embedAll = (tenantId: number) => embedTenant(tenantId, { vectors: new VectorStore(cell.db), embedder, transaction: (fn) => cell.db.transaction(fn)(), clock: Date.now, requestTimeoutMs: 1000 }, new AbortController().signal);
  return { cell, kb, add, tenant, embedder, search, embedAll };
}

const signal = () => new AbortController().signal;
const CLINIC = '# Клиника\n\n## Часы работы\n\nЕжедневно с 9:00 до 19:00.\n\n## Адрес\n\nпроспект Абая 150.\n';
function catalog(label: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `## ${label} позиция ${i + 1}\n\nЦена ${10_000 + i * 10} ₸, ${label} в наличии.\n`).join('\n');
}

describe('the knowledge a turn gets', () => {
  test('within the budget every chunk goes, in a stable order, whatever the question; two tenants never share', async () => {
    const s = setup();
    const a = s.tenant('a');
    const b = s.tenant('b');
    s.add('a', { 'clinic.md': CLINIC });
    s.add('b', { 'other.md': '# Другое\n\n## Часы\n\nКруглосуточно, адрес улица Рыскулова 103.\n' });
    const first = await s.search.retrieve(a, 'Во сколько вы открываетесь?', signal());
    expect(first.mode).toBe('whole');
    expect(first.snippets.map((x) => x.heading)).toEqual(['Клиника › Часы работы', 'Клиника › Адрес']);
    expect(first.lexicalHits).toBe(0);
    expect(first.toc).toEqual([]);
    const second = await s.search.retrieve(a, 'совсем о другом', signal());
    expect(second.snippets).toEqual(first.snippets);
    expect(JSON.stringify(first)).not.toContain('Рыскулова');
    expect(JSON.stringify(await s.search.retrieve(b, 'часы', signal()))).not.toContain('Абая');
    // Whole mode never calls the embeddings API.
    expect(s.embedder.calls).toEqual([]);
  });

  test('the budget counts real tokens; a tenant\'s own budget overrides the cell\'s, and a knowledge change is seen at once', async () => {
    const s = setup(100);
    const a = s.tenant('a');
    s.add('a', { 'clinic.md': CLINIC });
    const small = await s.search.retrieve(a, 'адрес', signal());
    expect(small.mode).toBe('whole');
    expect(small.knowledgeTokens).toBeGreaterThan(15);
    expect(small.knowledgeTokens).toBeLessThan(100);
    s.add('a', { 'more.md': catalog('кофе', 20) });
    expect((await s.search.retrieve(a, 'адрес', signal())).mode).toBe('lexical_fallback');
    s.kb.setBudget('a', 100_000);
    expect((await s.search.retrieve(a, 'адрес', signal())).mode).toBe('whole');
    expect(s.search.stats(a)).toMatchObject({ budgetTokens: 100_000, budgetSource: 'tenant', mode: 'whole', chunks: 22 });
  });

  test('beyond the budget: BM25 and cosine fused per tenant; another tenant\'s vectors never count, however close', async () => {
    const s = setup(200);
    const a = s.tenant('a');
    const b = s.tenant('b');
    s.add('a', { 'catalog.md': catalog('шланг', 30) + '\n## Баллоны\n\nЗаправка кислород баллона 7 500 ₸.\n' });
    s.add('b', { 'catalog.md': catalog('кислород', 30) });
    await s.embedAll(a);
    await s.embedAll(b);
    // "кислород" is in 30 of b's chunks and one of a's: a's turn must get a's chunk only.
    const result = await s.search.retrieve(a, 'нужен кислород', signal());
    expect(result.mode).toBe('hybrid');
    expect(result.snippets[0]!.text).toContain('7 500 ₸');
    expect(result.snippets.every((x) => x.sourceName === 'a-catalog.md' && !x.text.includes('кислород в наличии'))).toBe(true);
    expect(result.snippets.every((x) => typeof x.score === 'number')).toBe(true);
    expect(result.toc.length).toBeGreaterThan(0);
    expect(result.toc.join('\n')).not.toMatch(/кислород позиция/);
    // By meaning alone: no shared word with the chunk, the fake's axis decides.
    const meaning = await s.search.retrieve(b, 'O2 баллон? кислород', signal());
    expect(meaning.snippets.every((x) => x.text.includes('кислород'))).toBe(true);
  });

  test('embeddings failing, slow or missing: the same turn uses the word ranking and says why', async () => {
    const s = setup(200);
    const a = s.tenant('a');
    s.add('a', { 'catalog.md': catalog('кофе', 30) });
    const before = await s.search.retrieve(a, 'кофе позиция 7', signal());
    expect(before).toMatchObject({ mode: 'lexical_fallback', fallback: expect.stringMatching(/no vectors of fake-embed yet/) });
    await s.embedAll(a);
    s.embedder.fail = new EmbeddingError('rate_limited', 'the embeddings API rate-limited us (429): slow down');
    const limited = await s.search.retrieve(a, 'кофе позиция 7', signal());
    expect(limited).toMatchObject({ mode: 'lexical_fallback', fallback: 'the embeddings API rate-limited us (429): slow down' });
    expect(limited.snippets[0]!.heading).toContain('позиция 7');
    s.embedder.fail = null;
    expect((await s.search.retrieve(a, 'кофе позиция 7', signal())).mode).toBe('hybrid');
  });

  test('an embed run resumes after a failure: batches already written are not embedded again', async () => {
    const s = setup();
    const a = s.tenant('a');
    s.add('a', { 'catalog.md': catalog('кофе', 150) });
    let calls = 0;
    const flaky: EmbedderPort = { model: 'fake-embed', embed: async (texts) => {
      if (++calls === 2) throw new EmbeddingError('server', 'the embeddings API failed (500)');
      return s.embedder.embed(texts);
    } };
    const run = () => embedTenant(a, { vectors: new VectorStore(s.cell.db), embedder: flaky, transaction: (fn) => s.cell.db.transaction(fn)(), clock: Date.now, requestTimeoutMs: 1000 }, signal());
    await expect(run()).rejects.toThrow('(500)');
    expect(new VectorStore(s.cell.db).coverage(a, 'fake-embed')).toEqual({ chunks: 150, embedded: 64 });
    const progress = await run();
    expect(progress).toMatchObject({ embedded: 86, batches: 2 });
    expect(s.embedder.calls.flat().length).toBe(150);
  });
});
