import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { Queue } from '../jobs/queue.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { JobStore } from '../storage/job-store.js';
import { VectorStore } from '../storage/vector-store.js';
import { embedTenant, type EmbedProgress } from './embeddings/embed-job.js';
import type { KnowledgeStats } from './knowledge-search.js';
import { embedderFromConfig, enqueueEmbedding, knowledgeSearchFromConfig } from './wiring.js';
import { KnowledgeStore, type ChunkRecord, type SearchRow, type SourceRecord } from '../storage/knowledge-store.js';
import { LEARNED_SOURCE } from '../storage/learning-store.js';
import type { TenantRecord } from '../storage/tenant-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import { TrigramVocabulary } from './fuzzy.js';
import { fuzzyTerms } from './fuzzy-terms.js';
import { buildMatchQuery, narrowForms, normalizeText, queryTerms } from './normalize.js';
import { rankByTenantBm25, rankTerms } from './rank.js';
import { makeSnippet } from './snippet.js';
import { isSupportedFile, readSource, type ParsedSource } from './source-file.js';

export interface SourceChange {
  name: string;
  format: string;
  /** unchanged: same checksum as stored, nothing was written for it. */
  status: 'added' | 'replaced' | 'unchanged';
  chunks: number;
}

export interface ImportResult {
  sources: SourceChange[];
  /** Files of the folder that were not imported (unsupported extension, hidden, or not a regular file). */
  skipped: string[];
}

export interface SearchHit extends SearchRow {
  /** A one-line excerpt with the matched words in [brackets], for people. */
  snippet: string;
  /** BM25 over the tenant's own chunks (rankByTenantBm25): higher is better; comparable only within one search. */
  score: number;
}

export interface FaqMatch {
  chunkId: number;
  sourceName: string;
  question: string;
  answer: string;
  /** 1 for an equal normalised question, else the Jaccard index of the two questions' stem sets. */
  similarity: number;
}

/** Token-set Jaccard index from which two questions count as the same question (see findFaq). */
export const FAQ_MIN_SIMILARITY = 0.8;
export const DEFAULT_SEARCH_LIMIT = 5;
const MAX_SEARCH_LIMIT = 50;
/**
 * Chunks read per search for re-ranking (rankByTenantBm25): every match of a tenant of ordinary size (~50 chunks);
 * a tenant with thousands of chunks is ranked within its 400 best by FTS5's cell-wide bm25.
 */
const CANDIDATE_POOL = 400;

/**
 * A tenant's knowledge base: importing files (all-or-nothing: every file is read and validated before anything is
 * written, and all writes of a command go in one transaction with their audit row), listing, removing, searching.
 */
export class KnowledgeService {
  private readonly store: KnowledgeStore;
  private readonly audit: AuditStore;
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.store = new KnowledgeStore(cell.db);
    this.audit = new AuditStore(cell.db);
    this.tenants = new TenantService(cell, clock);
  }

  /** Adds one file as a source named by its file name, replacing a source of that name. */
  addFile(tenantSlug: string, path: string, options: { format?: string } = {}): SourceChange {
    return this.addFiles(tenantSlug, [path], options)[0]!;
  }

  /** Adds several files at once; one broken file means none is written. */
  addFiles(tenantSlug: string, paths: readonly string[], options: { format?: string } = {}): SourceChange[] {
    const tenant = this.tenants.get(tenantSlug);
    const parsed = paths.map((path) => readSource(path, options));
    assertDistinctNames(parsed);
    return this.write(tenant, parsed, 'kb.add', {});
  }

  /**
   * Imports every supported file directly in `dir` (.md .markdown .txt .csv .json; not recursive: a source is
   * named by its file name, and names must stay unique). Other files are skipped and reported. All-or-nothing.
   * Sources of the tenant that are not in the folder are kept.
   */
  importDir(tenantSlug: string, dir: string): ImportResult {
    const tenant = this.tenants.get(tenantSlug);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new UserError(`${dir} is a file, not a folder`, `add it with: botctl kb add ${tenantSlug} ${dir}`);
      throw new UserError(`the folder ${dir} cannot be read (${code ?? 'error'})`, 'check the path and that the user running botctl may read it');
    }
    const files = names.filter((name) => isSupportedFile(name) && isRegularFile(join(dir, name)));
    const skipped = names.filter((name) => !files.includes(name));
    if (files.length === 0) {
      throw new UserError(`${dir} holds no knowledge files`, 'put .md, .txt, .csv or .json files in it (files in subfolders are not read)');
    }
    const parsed = files.map((name) => readSource(join(dir, name)));
    const sources = this.write(tenant, parsed, 'kb.import', { dir, skipped });
    return { sources, skipped };
  }

  list(tenantSlug: string): SourceRecord[] {
    return this.store.listSources(this.tenants.get(tenantSlug).id);
  }

  show(tenantSlug: string, sourceName: string): { source: SourceRecord; chunks: ChunkRecord[] } {
    const tenant = this.tenants.get(tenantSlug);
    const source = this.source(tenant, sourceName);
    return { source, chunks: this.store.chunks(tenant.id, source.id) };
  }

  /** The source `remove` would delete, for the confirmation message. */
  removalImpact(tenantSlug: string, sourceName: string): SourceRecord {
    return this.source(this.tenants.get(tenantSlug), sourceName);
  }

  /** Deletes a source with its chunks and index rows. Returns the number of chunks deleted. */
  remove(tenantSlug: string, sourceName: string): number {
    const tenant = this.tenants.get(tenantSlug);
    const source = this.source(tenant, sourceName);
    let deleted = 0;
    this.cell.db.transaction(() => {
      deleted = this.store.removeSource(tenant.id, source.id);
      this.audit.record({ at: this.clock(), actor: currentActor(), action: 'kb.remove', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { source: source.name, chunks: deleted } });
    }).immediate();
    return deleted;
  }

  /** The tenant's chunks that best match a customer's text, best first; [] when the text has no searchable word. */
  search(tenantId: number, query: string, options: { limit?: number } = {}): SearchHit[] {
    // With fuzzy words over the tenant's vocabulary, as a turn's word ranking does (built per call: a command, not a turn).
    return searchKnowledge(this.store, tenantId, query, { ...options, vocabulary: () => new TrigramVocabulary(this.store.vocabulary(tenantId)) });
  }

  /** Size in tokens, budget, the mode turns get, and embedding coverage of a tenant's knowledge (`botctl kb stats`). */
  stats(tenantSlug: string): KnowledgeStats & { tenant: string } {
    const tenant = this.tenants.get(tenantSlug);
    return { tenant: tenant.slug, ...knowledgeSearchFromConfig(this.cell.db, this.cell.config).stats(tenant.id) };
  }

  /**
   * Sets the tenant's own knowledge budget in tokens, or null to use the cell's (BOTCTL_KNOWLEDGE_BUDGET_TOKENS).
   * Audited. Takes effect at the next turn.
   */
  setBudget(tenantSlug: string, tokens: number | null): void {
    const tenant = this.tenants.get(tenantSlug);
    if (tokens !== null && (!Number.isSafeInteger(tokens) || tokens < 0 || tokens > 1_000_000)) {
      throw new UserError(`${tokens} is not a knowledge budget`, 'give a number of tokens from 0 (always retrieve) to 1000000, or "cell" for the cell\'s default');
    }
    this.cell.db.transaction(() => {
      this.store.setBudgetOverride(tenant.id, tokens);
      // A lower budget may put the knowledge beyond it: the embed job checks and embeds only then.
      enqueueEmbedding(new Queue(new JobStore(this.cell.db), null), tenant.id);
      this.audit.record({ at: this.clock(), actor: currentActor(), action: 'kb.budget', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { tokens } });
    }).immediate();
  }

  /**
   * Embeds, in the foreground, the tenant's chunks that have no vector of the configured model (what the worker's
   * kb.embed job does; resumable the same way). Throws a UserError when no embeddings API is configured.
   */
  async embed(tenantSlug: string, signal: AbortSignal): Promise<EmbedProgress & { model: string }> {
    const tenant = this.tenants.get(tenantSlug);
    const embedder = embedderFromConfig(this.cell.config);
    if (!embedder) throw new UserError('no embeddings API is configured', 'set OPENAI_API_KEY (or BOTCTL_EMBEDDING_API_KEY with BOTCTL_EMBEDDING_BASE_URL) in the env file');
    const progress = await embedTenant(tenant.id, { vectors: new VectorStore(this.cell.db), embedder, transaction: (fn) => this.cell.db.transaction(fn).immediate(), clock: this.clock, requestTimeoutMs: 30_000 }, signal);
    return { ...progress, model: embedder.model };
  }

  /** The FAQ entry asking the same as `question` (see matchFaq), or null. */
  findFaq(tenantId: number, question: string): FaqMatch | null {
    return matchFaq(this.store, tenantId, question);
  }

  private source(tenant: TenantRecord, name: string): SourceRecord {
    const source = this.store.findSource(tenant.id, name);
    if (!source) throw new UserError(`tenant ${tenant.slug} has no knowledge source "${name}"`, `see its sources with: botctl kb list ${tenant.slug}`);
    return source;
  }

  private write(tenant: TenantRecord, parsed: readonly ParsedSource[], action: 'kb.add' | 'kb.import', detail: Record<string, unknown>): SourceChange[] {
    const changes: SourceChange[] = [];
    this.cell.db.transaction(() => {
      const now = this.clock();
      for (const source of parsed) {
        const existing = this.store.findSource(tenant.id, source.name);
        const change: SourceChange = { name: source.name, format: source.format, status: existing ? 'replaced' : 'added', chunks: source.chunks.length };
        if (existing?.checksum === source.checksum) {
          change.status = 'unchanged';
        } else {
          this.store.writeSource(tenant.id, source, now);
        }
        changes.push(change);
      }
      this.audit.record({ at: now, actor: currentActor(), action, tenantId: tenant.id, tenantSlug: tenant.slug, detail: { ...detail, sources: changes } });
      // The new chunks get their vectors from a durable job committed with them (nothing to embed is lost by a crash);
      // always enqueued, because the worker may have the embeddings API key when this command's environment has not.
      if (changes.some((c) => c.status !== 'unchanged')) enqueueEmbedding(new Queue(new JobStore(this.cell.db), null), tenant.id);
    }).immediate();
    return changes;
  }
}

/**
 * Search without a Cell (the worker's knowledge port holds only the database): the tenant's chunks that best match
 * a customer's text, best first, at most `limit` (default 5, at most 50); [] when the text has no searchable word.
 */
export function searchKnowledge(store: KnowledgeStore, tenantId: number, query: string, options: { limit?: number; vocabulary?: () => TrigramVocabulary; wordsOf?: (row: SearchRow) => readonly string[] } = {}): SearchHit[] {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? DEFAULT_SEARCH_LIMIT)), MAX_SEARCH_LIMIT);
  const terms = queryTerms(query);
  // Word forms of short stems are looked up in the tenant's own vocabulary first (narrowForms).
  const narrowed = narrowForms(terms, (stem) => store.indexedWords(tenantId, stem));
  const searched = options.vocabulary ? [...narrowed, ...fuzzyTerms(store, tenantId, terms, narrowed, options.vocabulary)] : narrowed;
  if (searched.length === 0) return [];
  const candidates = store.search(tenantId, buildMatchQuery(tenantId, searched), CANDIDATE_POOL);
  return rankByTenantBm25(candidates, rankTerms(searched), store.chunkTotal(tenantId), options.wordsOf).slice(0, limit).map((row) => ({
    ...row,
    snippet: makeSnippet(row.text, searched),
  }));
}

/**
 * The FAQ entry asking the same as `question`, for answering without an LLM: its normalised question is equal,
 * or the Jaccard index of the two questions' stem sets (stop words removed, see queryTerms; stems count as the
 * same word when one of 4+ letters begins the other) is at least FAQ_MIN_SIMILARITY, so word order, punctuation,
 * greetings and word endings do not matter but a different subject does. The most similar wins (the earliest on a tie); null when none is close enough.
 */
export function matchFaq(store: KnowledgeStore, tenantId: number, question: string): FaqMatch | null {
  const asked = normalizeText(question);
  const askedStems = stems(question);
  let best: FaqMatch | null = null;
  for (const faq of store.faqs(tenantId)) {
    const similarity = asked !== '' && normalizeText(faq.question) === asked ? 1 : jaccard(askedStems, stems(faq.question));
    if (similarity >= FAQ_MIN_SIMILARITY && (best === null || similarity > best.similarity)) best = { ...faq, similarity };
  }
  return best;
}

/** False for folders, sockets and dangling links, which a folder import skips rather than fails on. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function assertDistinctNames(parsed: readonly ParsedSource[]): void {
  const seen = new Map<string, string>();
  for (const source of parsed) {
    // `learned` is rebuilt from what managers taught (src/learning/); a file of that name would be overwritten by it.
    if (source.name === LEARNED_SOURCE) throw new UserError(`${source.path} is named "${LEARNED_SOURCE}", the source of what managers taught the bot`, 'rename the file (e.g. learned.md)');
    const other = seen.get(source.name);
    if (other !== undefined) {
      throw new UserError(`${other} and ${source.path} have the same file name, and a source is named by its file name`, 'rename one of them, or add them in two commands if the second should replace the first');
    }
    seen.set(source.name, source.path);
  }
}

function stems(text: string): string[] {
  return [...new Set(queryTerms(text).map((t) => t.stem))];
}

/** Two stems are the same word when equal, or when one of 4+ letters begins the other (чист / чистк: чистка, чистку). */
function sameWord(a: string, b: string): boolean {
  return a === b || (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a)));
}

/** Jaccard index of two stem sets, pairing each stem with at most one same word of the other set. */
function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const unmatched = [...b];
  let shared = 0;
  for (const stem of a) {
    const i = unmatched.findIndex((other) => sameWord(stem, other));
    if (i < 0) continue;
    unmatched.splice(i, 1);
    shared++;
  }
  return shared / (a.length + b.length - shared);
}
