import type { Retrieval, Snippet, TurnContext } from '../brain/context.js';
import { assembleMessages, knowledgeBlock } from '../brain/prompt-assembly.js';
import type { KnowledgePort } from '../conversation/ports.js';
import type { Db } from '../storage/open-db.js';
import { KnowledgeStore, type SearchRow } from '../storage/knowledge-store.js';
import { VectorStore, type StoredVector } from '../storage/vector-store.js';
import { nearest } from './embeddings/cosine.js';
import type { EmbedderPort } from './embeddings/embedder.js';
import { fuseRankings } from './embeddings/rrf.js';
import { HEADING_SEPARATOR } from './chunk.js';
import { TrigramVocabulary } from './fuzzy.js';
import { matchFaq, searchKnowledge } from './knowledge-service.js';
import { chunkWords } from './rank.js';
import { countMessageTokens, countTokens, type Encoding } from './tokens.js';

export interface KnowledgeSearchOptions {
  /** The cell's budget (BOTCTL_KNOWLEDGE_BUDGET_TOKENS); a tenant may override it. */
  budgetTokens: number;
  /** The chat model's tokenizer (encodingFor(BOTCTL_LLM_MODEL)). */
  encoding: Encoding;
  /** Null when no embeddings API is configured: beyond the budget a turn is lexical. */
  embedder: EmbedderPort | null;
  /** How long a turn waits for the question's embedding (BOTCTL_EMBEDDING_TIMEOUT_MS). */
  embedTimeoutMs: number;
  /** Asks for the tenant's embed job (the worker's); called at most once per tenant per EMBED_REQUEST_EVERY_MS. */
  requestEmbedding?: (tenantId: number) => void;
}

/** A turn without vectors asks for them at most this often per tenant (the job may still be running). */
const EMBED_REQUEST_EVERY_MS = 10 * 60_000;

export const DEFAULT_KNOWLEDGE_OPTIONS: KnowledgeSearchOptions = { budgetTokens: 16_000, encoding: 'o200k_base', embedder: null, embedTimeoutMs: 1500 };

/** Chunks a retrieved (not whole) prompt gets. */
export const RETRIEVED_SNIPPETS = 12;
/** In whole mode the word ranking only tells the extractive path whether anything matched (as its 5 snippets did). */
const WHOLE_MODE_HITS = 5;
/** Candidates each ranking contributes to the fusion. */
const FUSION_POOL = 30;
/** The table of contents takes at most this share of the budget; titles past it are left out. */
const TOC_SHARE = 0.25;
/** Vectors held in memory at once, over all tenants (~120 MB at 1,536 dimensions). */
const MAX_CACHED_VECTORS = 20_000;
/** Tenants whose knowledge is held in memory at once (whole text, vocabulary, vectors). */
const CACHED_TENANTS = 200;

/** A tenant's knowledge as prompts use it, built once per version of its knowledge. */
interface TenantKnowledge {
  version: string;
  snippets: Snippet[];
  tokens: number;
  /** Built when first needed: whole mode never reads it. */
  toc: string[] | null;
  vocabulary: TrigramVocabulary | null;
  /** Each chunk's normalised words, filled as chunks come up in searches (ranking reads them every turn). */
  words: Map<number, readonly string[]>;
}

export interface KnowledgeStats {
  chunks: number;
  tokens: number;
  budgetTokens: number;
  budgetSource: 'cell' | 'tenant';
  mode: 'whole' | 'hybrid' | 'lexical';
  embeddingModel: string | null;
  embedded: number;
}

/**
 * The knowledge base as the conversation core reads it, per tenant: the whole knowledge when it fits the budget,
 * else hybrid retrieval (BM25 with fuzzy words, fused with cosine over the tenant's vectors) with the table of
 * contents; exact FAQ answers for the extractive path. Holds per-tenant caches keyed by the knowledge's version.
 */
export class KnowledgeSearch implements KnowledgePort {
  private readonly store: KnowledgeStore;
  private readonly vectorStore: VectorStore;
  private readonly tenants = new Map<number, TenantKnowledge>();
  private readonly vectorCache = new Map<number, { version: string; vectors: StoredVector[] }>();
  private readonly embedRequested = new Map<number, number>();
  private readonly tokenCounts = new Map<number, { version: string; tokens: number }>();
  /** Tokens of the knowledge block of each tenant's whole-knowledge snippets (keyed by that very array). */
  private readonly blockTokens = new WeakMap<readonly Snippet[], number>();

  constructor(db: Db, private readonly options: KnowledgeSearchOptions = DEFAULT_KNOWLEDGE_OPTIONS) {
    this.store = new KnowledgeStore(db);
    this.vectorStore = new VectorStore(db);
  }

  /** Ranked snippets by words alone (BM25 with fuzzy words), for `botctl kb search` and the lexical path. */
  search(tenantId: number, query: string, limit: number): Snippet[] {
    return this.lexical(tenantId, query, limit).map(toSnippet);
  }

  async retrieve(tenantId: number, query: string, signal: AbortSignal): Promise<Retrieval> {
    const knowledge = this.knowledge(tenantId);
    const budgetTokens = this.budget(tenantId).tokens;
    if (knowledge.tokens <= budgetTokens) {
      // The word ranking only counts matches here, for the extractive path without a model: the same search as before
      // retrieval modes (no fuzzy words), so that path decides exactly as it did.
      const lexicalHits = searchKnowledge(this.store, tenantId, query, { limit: WHOLE_MODE_HITS, wordsOf: this.wordsOf(tenantId) }).length;
      return { mode: 'whole', snippets: knowledge.snippets, toc: [], lexicalHits, knowledgeTokens: knowledge.tokens, budgetTokens, fallback: null };
    }
    const lexical = this.lexical(tenantId, query, FUSION_POOL);
    const base = { lexicalHits: lexical.length, knowledgeTokens: knowledge.tokens, budgetTokens };
    knowledge.toc ??= tableOfContents(knowledge.snippets, this.options.encoding, Math.floor(this.options.budgetTokens * TOC_SHARE));

    const words = lexical.slice(0, RETRIEVED_SNIPPETS).map(toSnippet);
    const embedder = this.options.embedder;
    if (!embedder) return { ...base, mode: 'lexical', snippets: words, toc: knowledge.toc!, fallback: null };
    const vectors = this.vectors(tenantId, embedder.model);
    if (vectors.length === 0) {
      this.askForVectors(tenantId);
      return { ...base, mode: 'lexical_fallback', snippets: words, toc: knowledge.toc!, fallback: `no vectors of ${embedder.model} yet (the knowledge is being embedded)` };
    }
    let queryVector: Float32Array;
    try {
      queryVector = (await embedder.embed([query], { signal, timeoutMs: this.options.embedTimeoutMs })).vectors[0]!;
    } catch (err) {
      if (signal.aborted) throw err;
      return { ...base, mode: 'lexical_fallback', snippets: words, toc: knowledge.toc!, fallback: err instanceof Error ? err.message : String(err) };
    }
    const meaning = nearest(queryVector, vectors, FUSION_POOL);
    const fused = fuseRankings([lexical.map((h) => h.chunkId), meaning.map((h) => h.chunkId)]).slice(0, RETRIEVED_SNIPPETS);
    const byId = new Map(knowledge.snippets.map((s) => [s.chunkId!, s]));
    const snippets = fused.flatMap(({ id, score }) => {
      const snippet = byId.get(id);
      return snippet ? [{ ...snippet, score: Math.round(score * 10_000) / 10_000 }] : [];
    });
    return { ...base, mode: 'hybrid', snippets, toc: knowledge.toc!, fallback: null };
  }

  findFaqAnswer(tenantId: number, question: string): string | null {
    return matchFaq(this.store, tenantId, question)?.answer ?? null;
  }

  /**
   * The whole request's tokens. The knowledge block of whole mode is the same every turn, so its count (taken when the
   * tenant's knowledge was loaded) is reused and only the rest of the request is tokenized.
   */
  promptTokens(context: TurnContext): number {
    const messages = assembleMessages(context);
    const known = this.blockTokens.get(context.snippets);
    if (known === undefined) return countMessageTokens(messages, this.options.encoding);
    const [system, ...rest] = messages;
    const withoutBlock = system!.content.replace(knowledgeBlock(context.snippets), '');
    return known + countMessageTokens([{ content: withoutBlock }, ...rest], this.options.encoding);
  }

  /** Size, budget, mode and embedding coverage of a tenant's knowledge (`botctl kb stats`). */
  stats(tenantId: number): KnowledgeStats {
    const knowledge = this.knowledge(tenantId);
    const budget = this.budget(tenantId);
    const model = this.options.embedder?.model ?? null;
    const coverage = model ? this.vectorStore.coverage(tenantId, model) : { chunks: knowledge.snippets.length, embedded: 0 };
    return {
      chunks: knowledge.snippets.length, tokens: knowledge.tokens, budgetTokens: budget.tokens, budgetSource: budget.source,
      mode: knowledge.tokens <= budget.tokens ? 'whole' : model ? 'hybrid' : 'lexical', embeddingModel: model, embedded: coverage.embedded,
    };
  }

  private askForVectors(tenantId: number): void {
    const last = this.embedRequested.get(tenantId);
    if (!this.options.requestEmbedding || (last !== undefined && Date.now() - last < EMBED_REQUEST_EVERY_MS)) return;
    this.embedRequested.set(tenantId, Date.now());
    this.options.requestEmbedding(tenantId);
  }

  private budget(tenantId: number): { tokens: number; source: 'cell' | 'tenant' } {
    const own = this.store.budgetOverride(tenantId);
    return own === null ? { tokens: this.options.budgetTokens, source: 'cell' } : { tokens: own, source: 'tenant' };
  }

  private lexical(tenantId: number, query: string, limit: number) {
    return searchKnowledge(this.store, tenantId, query, { limit, vocabulary: () => this.vocabulary(tenantId), wordsOf: this.wordsOf(tenantId) });
  }

  /** Each chunk's normalised words, kept with the tenant's cached knowledge. */
  private wordsOf(tenantId: number): (row: SearchRow) => readonly string[] {
    const words = this.knowledge(tenantId).words;
    return (row) => {
      let cached = words.get(row.chunkId);
      if (!cached) words.set(row.chunkId, (cached = chunkWords(row)));
      return cached;
    };
  }

  private knowledge(tenantId: number): TenantKnowledge {
    const version = this.store.version(tenantId);
    const cached = this.tenants.get(tenantId);
    if (cached?.version === version) return cached;
    const snippets = this.store.allChunks(tenantId).map(toSnippet);
    // The count is the costly part (~12 ms for 9,000 tokens) and is one number: kept for every tenant seen, even when
    // its text falls out of the bounded cache.
    const counted = this.tokenCounts.get(tenantId);
    const tokens = counted?.version === version ? counted.tokens : countTokens(knowledgeBlock(snippets), this.options.encoding);
    this.tokenCounts.set(tenantId, { version, tokens });
    const built: TenantKnowledge = { version, snippets, tokens, toc: null, vocabulary: null, words: new Map() };
    this.blockTokens.set(snippets, tokens);
    remember(this.tenants, tenantId, built);
    return built;
  }

  private vocabulary(tenantId: number): TrigramVocabulary {
    const knowledge = this.knowledge(tenantId);
    knowledge.vocabulary ??= new TrigramVocabulary(this.store.vocabulary(tenantId));
    return knowledge.vocabulary;
  }

  private vectors(tenantId: number, model: string): StoredVector[] {
    const version = `${model}:${this.vectorStore.version(tenantId, model)}`;
    const cached = this.vectorCache.get(tenantId);
    if (cached?.version === version) return cached.vectors;
    const vectors = this.vectorStore.vectors(tenantId, model);
    remember(this.vectorCache, tenantId, { version, vectors });
    // Vectors are the big part (2,000 chunks × 1,536 floats = 12 MB): the least recently used tenants' go first.
    let held = 0;
    for (const entry of this.vectorCache.values()) held += entry.vectors.length;
    for (const [key, entry] of this.vectorCache) {
      if (held <= MAX_CACHED_VECTORS || key === tenantId) break;
      held -= entry.vectors.length;
      this.vectorCache.delete(key);
    }
    return vectors;
  }
}

function toSnippet(row: SearchRow & { score?: number }): Snippet {
  return {
    sourceName: row.sourceName,
    heading: row.heading,
    text: row.question && row.answer ? `${row.question}\n${row.answer}` : row.text,
    chunkId: row.chunkId,
    ...(row.score !== undefined ? { score: Math.round(row.score * 1000) / 1000 } : {}),
  };
}

/**
 * Section titles in knowledge order (`source › heading`, or the FAQ question), without repeats, within `maxTokens`.
 * When every title does not fit (a catalog of 1,000 items), the titles are cut to their top heading (`source ›
 * chapter`), which names what kinds of things the knowledge holds; what still does not fit is left out.
 */
function tableOfContents(snippets: readonly Snippet[], encoding: Encoding, maxTokens: number): string[] {
  const full = snippets.map((s) => (s.heading ? `${s.sourceName} › ${s.heading}` : s.text.split('\n')[0]!.slice(0, 120)));
  const fitting = distinctWithin(full, encoding, maxTokens);
  if (fitting.length === new Set(full).size) return fitting;
  const top = snippets.map((s, i) => (s.heading ? `${s.sourceName} › ${s.heading.split(HEADING_SEPARATOR)[0]}` : full[i]!));
  return distinctWithin(top, encoding, maxTokens);
}

function distinctWithin(titles: readonly string[], encoding: Encoding, maxTokens: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let tokens = 0;
  for (const title of titles) {
    if (seen.has(title)) continue;
    const cost = countTokens(title, encoding) + 2;
    if (tokens + cost > maxTokens) break;
    seen.add(title);
    out.push(title);
    tokens += cost;
  }
  return out;
}

function remember<T>(map: Map<number, T>, key: number, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHED_TENANTS) map.delete(map.keys().next().value!);
}
