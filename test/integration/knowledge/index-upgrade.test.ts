import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { searchKnowledge } from '../../../src/knowledge/knowledge-service.js';
import { normalizeText, queryTerms, termForms } from '../../../src/knowledge/normalize.js';
import { readSource, type ParsedSource } from '../../../src/knowledge/source-file.js';
import { templatesDir } from '../../../src/paths.js';
import { KnowledgeStore } from '../../../src/storage/knowledge-store.js';
import { applyMigrations, migrationStatus } from '../../../src/storage/migrate.js';
import type { Db } from '../../../src/storage/open-db.js';
import { insertTenant, migratedDb } from '../../helpers/migrated-db.js';

const EXAMPLE = join(templatesDir, 'examples', 'dental-almaty', 'knowledge');
const NOW = 1_700_000_000_000;

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

/**
 * KnowledgeStore as it was at schema version 8, frozen here: chunks with their kb_fts row (tenant_key `t<id>`,
 * body normalizeText(text)), and search as `tenant_key:t<id> AND body:(…)` ranked by bm25 with tenant_key weighed 0.
 */
const v8 = {
  write(db: Db, tenantId: number, source: ParsedSource): void {
    const { id } = db.prepare(`INSERT INTO kb_sources (tenant_id, name, format, checksum, chunk_count, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(tenantId, source.name, source.format, source.checksum, source.chunks.length, NOW, NOW) as { id: number };
    source.chunks.forEach((chunk, i) => {
      const { id: chunkId } = db.prepare(`INSERT INTO kb_chunks (tenant_id, source_id, ordinal, heading, question, answer, text, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(tenantId, id, i + 1, chunk.heading, chunk.question, chunk.answer, chunk.text, NOW) as { id: number };
      db.prepare('INSERT INTO kb_fts (rowid, tenant_key, body) VALUES (?, ?, ?)').run(chunkId, `t${tenantId}`, normalizeText(chunk.text));
    });
  },
  search(db: Db, tenantId: number, question: string): number[] {
    const terms = queryTerms(question);
    if (terms.length === 0) return [];
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const alternatives = terms.flatMap((t) => (t.match === 'prefix' ? [`${quote(t.stem)}*`] : termForms(t).map(quote)));
    return (db.prepare(`SELECT c.id FROM kb_fts JOIN kb_chunks c ON c.id = kb_fts.rowid
        WHERE kb_fts MATCH ? AND c.tenant_id = ? ORDER BY bm25(kb_fts, 0.0, 1.0), c.id LIMIT 50`)
      .pluck().all(`tenant_key:t${tenantId} AND body:(${alternatives.join(' OR ')})`, tenantId) as number[]);
  },
};

const QUESTIONS = [
  'Сколько стоит профессиональная чистка зубов?', 'сколько стоит профессиональную чистку', 'где вы находитесь', 'как добраться на метро',
  'How much is teeth whitening?', 'имплантация', 'тіс ағарту бағасы', 'цена', 'цены на лечение', 'работаете в воскресенье',
  'үй', 'детский прием', 'скидки пенсионерам', 'рассрочка', 'гарантия на пломбу', 'секретная скидка', 'вечерний приём',
];

describe('upgrading the knowledge index (0009) on a database at version 8', () => {
  test('each tenant finds the same chunks as before, and never another tenant\'s', () => {
    const { db } = migratedDb(8);
    open.push(db);
    const a = insertTenant(db, 'a-clinic', NOW);
    const b = insertTenant(db, 'b-clinic', NOW);
    const files = readdirSync(EXAMPLE).sort().map((name) => readSource(join(EXAMPLE, name)));
    for (const source of files) v8.write(db, a, source);
    for (const source of files.slice(0, 3)) v8.write(db, b, source);
    v8.write(db, b, { ...files[0]!, name: 'extra.txt', format: 'txt', chunks: [
      { heading: null, question: null, answer: null, text: 'Секретная скидка для своих: вечерний приём по цене дневного, в рассрочку.' },
    ] });
    const chunksOf = (tenantId: number) => new Set(db.prepare('SELECT id FROM kb_chunks WHERE tenant_id = ?').pluck().all(tenantId) as number[]);
    const owned = { [a]: chunksOf(a), [b]: chunksOf(b) };

    const before = new Map<string, number[]>();
    for (const tenantId of [a, b]) for (const q of QUESTIONS) before.set(`${tenantId} ${q}`, v8.search(db, tenantId, q));
    // The questions find something in each tenant, so "the same" below is not "nothing, twice".
    for (const tenantId of [a, b]) expect(QUESTIONS.filter((q) => before.get(`${tenantId} ${q}`)!.length > 0).length).toBeGreaterThan(QUESTIONS.length / 2);

    expect(applyMigrations(db, { to: 9 }).map((m) => m.version)).toEqual([9]);
    expect(migrationStatus(db).current).toBe(9);
    const store = new KnowledgeStore(db);
    for (const tenantId of [a, b]) {
      expect(store.countIndexed(tenantId)).toBe(owned[tenantId]!.size);
      for (const q of QUESTIONS) {
        const after = searchKnowledge(store, tenantId, q, { limit: 50 }).map((h) => h.chunkId);
        expect(after.every((id) => owned[tenantId]!.has(id)), `${q}: only tenant ${tenantId}'s chunks`).toBe(true);
        // The same chunks; their order may differ, as bm25's document frequencies are now the tenant's own.
        expect([...after].sort((x, y) => x - y), `tenant ${tenantId}: ${q}`).toEqual([...before.get(`${tenantId} ${q}`)!].sort((x, y) => x - y));
      }
    }
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(() => db.prepare("INSERT INTO kb_terms (kb_terms, rank) VALUES ('integrity-check', 0)").run()).not.toThrow();
  });
});
