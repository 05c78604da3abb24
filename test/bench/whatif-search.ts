import Database from 'better-sqlite3';
import { join } from 'node:path';
import { normalizeText, queryTerms, termForms, type QueryTerm } from '../../src/knowledge/normalize.js';
import { openDatabase } from '../../src/storage/open-db.js';
import type { BenchContext } from './context.js';
import { rng, searchQuestions } from './seed-text.js';
import { summary } from './stats.js';

export interface SearchWhatIf {
  buildSeconds: number;
  /** Tenant folded into every token; word forms of 3-letter stems kept as exact words, as today. */
  forms: ReturnType<typeof summary>;
  /** …and 3-letter stems searched as prefixes too (the ADR's speed objection to them no longer holds). */
  prefixes: ReturnType<typeof summary>;
}

/**
 * What-if (--what-if): the knowledge index with the tenant folded into every token (`t42xчистка`), so a prefix or a
 * word form expands only over one tenant's vocabulary instead of the whole cell's. Built from the seeded chunks into
 * a side database in the run folder (the cell is not touched), then the search scenario's questions are run
 * against it: the FTS query, then the top 5 chunks read from the cell, as searchKnowledge does.
 */
export function searchWhatIf(ctx: BenchContext): SearchWhatIf {
  const cell = openDatabase(ctx.cell.dataDir, { readonly: true });
  const side = new Database(join(ctx.workDir, 'whatif-search.db'));
  try {
    side.pragma('journal_mode = WAL');
    side.pragma('synchronous = OFF');
    const started = performance.now();
    side.exec("CREATE VIRTUAL TABLE fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')");
    const insert = side.prepare('INSERT INTO fts (rowid, body) VALUES (?, ?)');
    const chunks = cell.prepare('SELECT id, tenant_id AS tenantId, text FROM kb_chunks ORDER BY id');
    let batch: { id: number; tenantId: number; text: string }[] = [];
    const flush = side.transaction((rows: typeof batch) => {
      for (const r of rows) insert.run(r.id, normalizeText(r.text).split(' ').map((w) => `t${r.tenantId}x${w}`).join(' '));
    });
    for (const row of chunks.iterate() as Iterable<{ id: number; tenantId: number; text: string }>) {
      batch.push(row);
      if (batch.length === 20_000) {
        flush(batch);
        batch = [];
      }
    }
    flush(batch);
    const buildSeconds = (performance.now() - started) / 1000;
    ctx.log(`what-if search: tenant-scoped index built in ${buildSeconds.toFixed(0)} s`);

    const match = side.prepare('SELECT rowid AS id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 5');
    const read = cell.prepare(`SELECT c.id, s.name, c.heading, c.question, c.answer, c.text FROM kb_chunks c JOIN kb_sources s ON s.id = c.source_id
      WHERE c.tenant_id = ? AND c.id IN (SELECT value FROM json_each(?))`);
    const expression = (tenantId: number, terms: QueryTerm[], prefixes: boolean) => terms.flatMap((t) =>
      t.match === 'prefix' || (prefixes && t.match === 'forms') ? [`"t${tenantId}x${t.stem}"*`] : termForms(t).map((f) => `"t${tenantId}x${f}"`)).join(' OR ');
    const measure = (prefixes: boolean) => {
      const random = rng(3);
      const times: number[] = [];
      for (let i = 0; i < ctx.scale.search.queries + 100; i++) {
        const tenant = ctx.tenants[Math.floor(random() * ctx.tenants.length)]!;
        const questions = searchQuestions(tenant.kind);
        const question = questions[Math.floor(random() * questions.length)]!;
        const t0 = performance.now();
        const terms = queryTerms(question);
        if (terms.length > 0) {
          const ids = (match.all(expression(tenant.id, terms, prefixes)) as { id: number }[]).map((r) => r.id);
          read.all(tenant.id, JSON.stringify(ids));
        }
        if (i >= 100) times.push(performance.now() - t0);
      }
      return summary(times);
    };
    return { buildSeconds, forms: measure(false), prefixes: measure(true) };
  } finally {
    side.close();
    cell.close();
  }
}
