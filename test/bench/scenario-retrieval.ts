import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCell } from '../../src/cell.js';
import { loadConfig } from '../../src/config/load.js';
import { writeEnvFile } from '../../src/config/write-env-file.js';
import { ChatSession } from '../../src/conversation/chat-session.js';
import { loadSuite } from '../../src/eval/suite.js';
import { embedTenant } from '../../src/knowledge/embeddings/embed-job.js';
import { OpenAiEmbedder, type EmbedderPort } from '../../src/knowledge/embeddings/embedder.js';
import { KnowledgeSearch } from '../../src/knowledge/knowledge-search.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';
import { parsePriceOverrides, priceOf, type ModelPrice } from '../../src/knowledge/prices.js';
import { countTokens, encodingFor } from '../../src/knowledge/tokens.js';
import { templatesDir } from '../../src/paths.js';
import { simulatedEmbedding, startOpenAISimulator } from '../../src/simulators/openai/index.js';
import { VectorStore } from '../../src/storage/vector-store.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import type { BenchContext } from './context.js';
import { summary } from './stats.js';

/** A conversation, for the cost figure: this many turns, each answered in this many output tokens. */
export const TURNS_PER_CONVERSATION = 3;
export const OUTPUT_TOKENS_PER_TURN = 80;
const EMBEDDING_MODEL = 'text-embedding-3-small';

export interface ModeFigures {
  mode: string;
  turns: number;
  promptTokens: { mean: number; p95: number };
  /** Tokens of the prompt's stable prefix that a provider's cache can reuse (OpenAI: from 1,024, in steps of 128). */
  cachedTokens: { mean: number };
  /** USD for 1,000 conversations at the model's list price: no cache hit, and every stable prefix a cache hit. */
  costPer1000: { uncached: number; cached: number } | null;
  /** The answering fact reached the prompt, of the suite's questions. */
  reached: string;
}

export interface RetrievalFigures {
  model: string;
  price: ModelPrice | null;
  modes: ModeFigures[];
  /** Embedding a knowledge base at import: tokens (cl100k_base, as text-embedding-3 bills) and USD. */
  embedding: { knowledge: string; chunks: number; tokens: number; usd: number | null; seconds: number };
  /** One turn's retrieval (words + fuzzy + cosine + fusion, the question's vector computed in process) at 2,000 chunks. */
  hybrid2000: ReturnType<typeof summary> & { chunks: number };
  lexical2000: ReturnType<typeof summary>;
}

/**
 * The cost and speed of grounding: a fresh cell with the shipped example tenants (a clinic and a 150-service price
 * list within the budget, a 1,000-part catalog beyond it, and a 2,000-part catalog), the shipped paraphrase suites run
 * through ChatSession.prepare (the bot's real context and prompt, no chat call), token counts with the chat model's
 * tokenizer, prices from the table (BOTCTL_LLM_MODEL, BOTCTL_LLM_PRICES override), embeddings through the OpenAI
 * simulator's /v1/embeddings (real wire format, not real vectors: see docs/decisions/0019).
 */
export async function retrievalScenario(ctx: BenchContext): Promise<RetrievalFigures> {
  const dir = mkdtempSync(join(ctx.workDir, 'retrieval-'));
  const sim = await startOpenAISimulator({});
  const model = process.env.BOTCTL_LLM_MODEL ?? 'gpt-4o-mini';
  const price = priceOf(model, parsePriceOverrides(process.env.BOTCTL_LLM_PRICES ?? null));
  const envFile = join(dir, 'botctl.env');
  writeEnvFile(envFile, join(dir, 'data'), false);
  const cell = openCell(loadConfig({ envFile, env: { BOTCTL_LLM_MODEL: model } }), { schema: 'apply' });
  try {
    const encoding = encodingFor(model);
    const tenants = new TenantService(cell);
    const kb = new KnowledgeService(cell);
    const examples = join(templatesDir, 'examples');
    const add = (slug: string, knowledge: string) => {
      const id = tenants.add(slug, { name: slug, timezone: 'Asia/Almaty' }).id;
      kb.importDir(slug, knowledge);
      return id;
    };
    const dental = add('dental', join(examples, 'dental-almaty', 'knowledge'));
    const bolt = add('bolt', join(examples, 'auto-service-astana', 'knowledge'));
    const parts = add('parts', join(examples, 'parts-catalog', 'knowledge'));
    const big = add('parts2000', twoThousand(join(examples, 'parts-catalog', 'knowledge'), join(dir, 'parts2000')));

    const embedder = new OpenAiEmbedder({ apiKey: 'sk-bench', baseURL: sim.url, model: EMBEDDING_MODEL });
    const vectors = new VectorStore(cell.db);
    const embed = (tenantId: number) => embedTenant(tenantId, { vectors, embedder, transaction: (fn) => cell.db.transaction(fn)(), clock: Date.now, requestTimeoutMs: 60_000 }, new AbortController().signal);
    const t0 = performance.now();
    await embed(parts);
    const seconds = (performance.now() - t0) / 1000;
    await embed(big);
    const partsTexts = cell.db.prepare('SELECT text FROM kb_chunks WHERE tenant_id = ?').pluck().all(parts) as string[];
    const embedTokens = partsTexts.reduce((sum, t) => sum + countTokens(t, 'cl100k_base'), 0);
    const embedPrice = priceOf(EMBEDDING_MODEL);
    ctx.log(`retrieval: embedded ${partsTexts.length} + 2,000 chunks`);

    // Turns get the question's vector from the same function the simulator serves, computed in this process: the
    // figures are about prompts and botctl's own work, not about a local HTTP round trip on a loaded machine.
    const local: EmbedderPort = { model: EMBEDDING_MODEL, embed: async (texts) => ({ vectors: texts.map((t) => simulatedEmbedding(t, 1536)), tokens: 0 }) };
    const search = new KnowledgeSearch(cell.db, { budgetTokens: cell.config.knowledgeBudgetTokens, encoding, embedder: local, embedTimeoutMs: 5000 });
    const suites: [string, number, string][] = [
      ['dental-almaty', dental, 'whole'], ['auto-service-astana', bolt, 'whole'], ['parts-catalog', parts, 'hybrid'],
    ];
    const byMode = new Map<string, { prompt: number[]; cached: number[]; reached: number; questions: number }>();
    for (const [example, tenantId, expected] of suites) {
      const suite = loadSuite(join(examples, example, 'paraphrases.yaml'));
      for (const testCase of suite.cases) {
        for (const turn of testCase.turns) {
          const session = new ChatSession({ id: tenantId, name: example, locale: 'ru', prompt: readFileSync(join(examples, example === 'parts-catalog' ? 'auto-service-astana' : example, 'prompt.md'), 'utf8') }, { knowledge: search, llm: null });
          const prepared = await session.prepare(turn.say);
          if (prepared.retrieval.mode !== expected) throw new Error(`${example}: expected mode ${expected}, got ${prepared.retrieval.mode} (${prepared.retrieval.fallback ?? ''})`);
          const figures = byMode.get(expected) ?? byMode.set(expected, { prompt: [], cached: [], reached: 0, questions: 0 }).get(expected)!;
          figures.prompt.push(prepared.promptTokens);
          figures.cached.push(cacheable(prepared.messages[0]!.content, expected, encoding));
          const facts = turn.expect.expect_fact === undefined ? [] : ([] as string[]).concat(turn.expect.expect_fact);
          const system = prepared.messages[0]!.content.toLowerCase();
          figures.questions++;
          if (facts.every((f) => system.includes(f.toLowerCase()))) figures.reached++;
        }
      }
    }
    const modes: ModeFigures[] = [...byMode].map(([mode, f]) => {
      const tokens = summary(f.prompt);
      const mean = f.prompt.reduce((a, b) => a + b, 0) / f.prompt.length;
      const cachedMean = f.cached.reduce((a, b) => a + b, 0) / f.cached.length;
      const perTurn = (cachedTokens: number) => price ? ((mean - cachedTokens) * price.input + cachedTokens * price.cached + OUTPUT_TOKENS_PER_TURN * price.output) / 1e6 : 0;
      return {
        mode, turns: f.prompt.length, promptTokens: { mean: Math.round(mean), p95: tokens.p95 }, cachedTokens: { mean: Math.round(cachedMean) },
        costPer1000: price ? { uncached: perTurn(0) * TURNS_PER_CONVERSATION * 1000, cached: perTurn(cachedMean) * TURNS_PER_CONVERSATION * 1000 } : null,
        reached: `${f.reached}/${f.questions}`,
      };
    });

    // Retrieval speed at 2,000 chunks, the question's vector computed in process as above.
    const timed = new KnowledgeSearch(cell.db, { budgetTokens: cell.config.knowledgeBudgetTokens, encoding, embedder: local, embedTimeoutMs: 5000 });
    const words = new KnowledgeSearch(cell.db, { budgetTokens: cell.config.knowledgeBudgetTokens, encoding, embedder: null, embedTimeoutMs: 5000 });
    const questions = loadSuite(join(examples, 'parts-catalog', 'paraphrases.yaml')).cases.flatMap((c) => c.turns.map((t) => t.say));
    const hybrid: number[] = [];
    const lexical: number[] = [];
    const rounds = ctx.scale.name === 'quick' ? 3 : 10;
    for (let round = 0; round <= rounds; round++) {
      for (const q of questions) {
        const a = performance.now();
        const r = await timed.retrieve(big, q, new AbortController().signal);
        const b = performance.now();
        await words.retrieve(big, q, new AbortController().signal);
        const c = performance.now();
        if (r.mode !== 'hybrid') throw new Error(`2,000 chunks: mode ${r.mode}`);
        // The first round fills the tenant's caches (vocabulary, vectors) as a worker's first turn does.
        if (round > 0) {
          hybrid.push(b - a);
          lexical.push(c - b);
        }
      }
    }
    const chunks2000 = (cell.db.prepare('SELECT count(*) FROM kb_chunks WHERE tenant_id = ?').pluck().get(big) as number);
    return {
      model, price, modes,
      embedding: { knowledge: 'parts-catalog', chunks: partsTexts.length, tokens: embedTokens, usd: embedPrice ? (embedTokens * embedPrice.input) / 1e6 : null, seconds },
      hybrid2000: { ...summary(hybrid), chunks: chunks2000 }, lexical2000: summary(lexical),
    };
  } finally {
    cell.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stable prefix a provider caches: through the knowledge in whole mode, through the table of contents otherwise. */
function cacheable(system: string, mode: string, encoding: ReturnType<typeof encodingFor>): number {
  const end = mode === 'whole' ? system.indexOf('>>>') + 3 : system.indexOf('<<<');
  const tokens = countTokens(system.slice(0, Math.max(0, end)), encoding);
  return tokens < 1024 ? 0 : 1024 + Math.floor((tokens - 1024) / 128) * 128;
}

/** The 1,000-part catalog twice (the second copy's sections named for another warehouse): ~2,000 chunks. */
function twoThousand(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const text = readFileSync(join(from, name), 'utf8');
    writeFileSync(join(to, name), text);
    writeFileSync(join(to, `astana-${name}`), text.replace(/^## (.+)$/gm, '## $1, склад Астана').replace(/Цена (\d+) (\d+)/g, (_m, a: string, b: string) => `Цена ${Number(a) + 1} ${b}`));
  }
  return to;
}
