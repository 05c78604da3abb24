import type { Snippet } from '../brain/context.js';
import type { KnowledgePort } from '../conversation/ports.js';
import type { Db } from '../storage/open-db.js';
import { KnowledgeStore } from '../storage/knowledge-store.js';
import { matchFaq, searchKnowledge } from './knowledge-service.js';

/** The knowledge base as the conversation core reads it: ranked snippets and exact FAQ answers, per tenant. */
export class KnowledgeSearch implements KnowledgePort {
  private readonly store: KnowledgeStore;

  constructor(db: Db) {
    this.store = new KnowledgeStore(db);
  }

  search(tenantId: number, query: string, limit: number): Snippet[] {
    return searchKnowledge(this.store, tenantId, query, { limit }).map((hit) => ({
      sourceName: hit.sourceName,
      heading: hit.heading,
      text: hit.question && hit.answer ? `${hit.question}\n${hit.answer}` : hit.text,
    }));
  }

  findFaqAnswer(tenantId: number, question: string): string | null {
    return matchFaq(this.store, tenantId, question)?.answer ?? null;
  }
}
