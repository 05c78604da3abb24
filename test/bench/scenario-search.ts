import { KnowledgeSearch } from '../../src/knowledge/knowledge-search.js';
import { searchKnowledge } from '../../src/knowledge/knowledge-service.js';
import { KnowledgeStore } from '../../src/storage/knowledge-store.js';
import { openDatabase } from '../../src/storage/open-db.js';
import type { BenchContext } from './context.js';
import { rng, searchQuestions } from './seed-text.js';
import { summary } from './stats.js';

export interface SearchFigures {
  queries: number;
  chunksPerTenant: number;
  /** `searchKnowledge`: one tenant's top 5 for a customer's question. */
  search: ReturnType<typeof summary>;
  /** What one turn of the pipeline does (buildContext): the search plus the FAQ near-duplicate match. */
  turn: ReturnType<typeof summary>;
  /** The slowest question (by p99) and its p99, to show where the tail comes from. */
  slowest: { question: string; p99: number };
}

/**
 * Knowledge search in this process on the seeded index (10,000 tenants × ~50 chunks at full scale), with the
 * product's functions and connection settings: random tenants, typical customer questions. The first 100 queries
 * warm the page cache and are not counted.
 */
export function searchScenario(ctx: BenchContext): SearchFigures {
  const db = openDatabase(ctx.cell.dataDir, { readonly: true });
  try {
    const store = new KnowledgeStore(db);
    const port = new KnowledgeSearch(db);
    const random = rng(3);
    const pick = () => {
      const tenant = ctx.tenants[Math.floor(random() * ctx.tenants.length)]!;
      const questions = searchQuestions(tenant.kind);
      const qi = Math.floor(random() * questions.length);
      return { tenant, question: questions[qi]!, key: `${qi}` };
    };
    for (let i = 0; i < 100; i++) {
      const { tenant, question } = pick();
      searchKnowledge(store, tenant.id, question, { limit: 5 });
    }
    const search: number[] = [];
    const turn: number[] = [];
    const byQuestion = new Map<string, { example: string; times: number[] }>();
    for (let i = 0; i < ctx.scale.search.queries; i++) {
      const { tenant, question, key } = pick();
      const t0 = performance.now();
      searchKnowledge(store, tenant.id, question, { limit: 5 });
      const t1 = performance.now();
      port.search(tenant.id, question, 5);
      port.findFaqAnswer(tenant.id, question);
      const t2 = performance.now();
      search.push(t1 - t0);
      turn.push(t2 - t1);
      const entry = byQuestion.get(key) ?? byQuestion.set(key, { example: question, times: [] }).get(key)!;
      entry.times.push(t1 - t0);
    }
    let slowest = { question: '', p99: 0 };
    for (const { example, times } of byQuestion.values()) {
      const p99 = summary(times).p99;
      if (p99 > slowest.p99) slowest = { question: example, p99 };
    }
    ctx.log(`search: ${search.length} queries`);
    return { queries: search.length, chunksPerTenant: ctx.scale.seed.sections + ctx.scale.seed.faqs, search: summary(search), turn: summary(turn), slowest };
  } finally {
    db.close();
  }
}
