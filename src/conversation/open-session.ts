import type { Cell } from '../cell.js';
import type { KnowledgeSearch } from '../knowledge/knowledge-search.js';
import { knowledgeSearchFromConfig } from '../knowledge/wiring.js';
import { PromptStore } from '../storage/prompt-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import type { Locale } from '../tenants/settings.js';
import { llmFromConfig } from '../worker/pipeline.js';
import { ChatSession } from './chat-session.js';
import type { TextOverrides } from '../texts/texts.js';

/** A chat session with a tenant's bot as configured on this cell (its prompt, knowledge and the cell's LLM and embeddings). */
export function openSession(cell: Cell, slug: string, options: { embeddings?: boolean } = {}): { session: () => ChatSession; llmModel: string | null; knowledge: KnowledgeSearch; tenantId: number } {
  const tenant = new TenantService(cell).get(slug);
  const prompt = new PromptStore(cell.db).current(tenant.id)?.body ?? '';
  const texts = (cell.db.prepare('SELECT texts FROM tenants WHERE id = ?').get(tenant.id) as { texts: string | null }).texts;
  const llm = llmFromConfig(cell);
  // Without embeddings (`eval --retrieval` measures words alone too) a turn beyond the budget is lexical.
  const knowledge = options.embeddings === false ? knowledgeSearchFromConfig(cell.db, cell.config, null) : knowledgeSearchFromConfig(cell.db, cell.config);
  return {
    session: () => new ChatSession({ id: tenant.id, name: tenant.name, locale: tenant.locale as Locale, prompt, texts: texts ? (JSON.parse(texts) as TextOverrides) : null }, { knowledge, llm }),
    llmModel: llm?.model ?? null,
    knowledge,
    tenantId: tenant.id,
  };
}
