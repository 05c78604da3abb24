import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOpenAISimulator, type OpenAISimulator } from '../fakes/openai.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';
import { packageRoot } from '../../src/paths.js';

const EXAMPLES = join(packageRoot, 'templates', 'examples');
const KEY = 'sk-test-retrieval-0123456789abcdefghij';

let cell: TempCell;
let llm: OpenAISimulator;
let env: Record<string, string>;

async function ok(args: string[], timeoutMs = 60_000): Promise<string> {
  const result = await botctl(args, env, { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`botctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface Report {
  knowledge: { mode: string; tokens: number; budgetTokens: number; chunks: number; embedded: number };
  figure: { questions: number; reached: number; percent: number; modes: Record<string, number>; promptTokens: { mean: number; p95: number } };
  lexical: Report['figure'] | null;
  results: { said: string; missing: string[]; mode: string }[];
}

beforeAll(async () => {
  cell = await initCell();
  llm = await startOpenAISimulator({ apiKey: KEY });
  env = { ...cell.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: llm.url };
  for (const [slug, dir, name] of [['dental', 'dental-almaty', 'Smile Dental'], ['bolt', 'auto-service-astana', 'Bolt'], ['parts', 'parts-catalog', 'Detal']] as const) {
    await ok(['tenant', 'add', slug, '--name', name, '--timezone', 'Asia/Almaty', '--locale', 'ru']);
    await ok(['prompt', 'set', slug, '--file', join(EXAMPLES, dir === 'parts-catalog' ? 'auto-service-astana' : dir, 'prompt.md')]);
    await ok(['kb', 'import', slug, join(EXAMPLES, dir, 'knowledge')]);
  }
  await ok(['kb', 'embed', 'parts'], 120_000);
}, 240_000);
afterAll(async () => llm?.close());

describe('botctl eval --retrieval on the shipped suites', () => {
  test('the small knowledge base goes whole into the prompt: every answering fact of 60+ everyday questions reaches the model, no chat call made', async () => {
    const chatCalls = llm.requests.length;
    const report = JSON.parse(await ok(['eval', 'dental', join(EXAMPLES, 'dental-almaty', 'paraphrases.yaml'), '--retrieval', '--json'])) as Report;
    expect(report.knowledge.mode).toBe('whole');
    expect(report.figure.questions).toBeGreaterThanOrEqual(60);
    expect(report.figure.percent).toBeGreaterThanOrEqual(95);
    expect(report.figure.modes).toEqual({ whole: report.figure.questions });
    expect(report.lexical).toBeNull();
    expect(llm.requests.length).toBe(chatCalls);
  }, 60_000);

  test('a price list of 150 priced sections fits the default budget, and the figure is printed', async () => {
    const result = await botctl(['eval', 'bolt', join(EXAMPLES, 'auto-service-astana', 'paraphrases.yaml'), '--retrieval'], env, { timeoutMs: 60_000 });
    expect(result.exitCode).toBe(0);
    const sections = Number(/knowledge: (\d+) chunks/.exec(result.stdout)?.[1]);
    expect(sections).toBeGreaterThanOrEqual(150);
    const figure = /^whole: the answering fact reached the model for (\d+) of (\d+) questions \(([\d.]+)%\)/m.exec(result.stdout);
    expect(figure, result.stdout).not.toBeNull();
    expect(Number(figure![3])).toBeGreaterThanOrEqual(95);
  }, 60_000);

  test('1,000 sections beyond the budget: the figure for words alone and for hybrid retrieval, with the table of contents', async () => {
    const report = JSON.parse(await ok(['eval', 'parts', join(EXAMPLES, 'parts-catalog', 'paraphrases.yaml'), '--retrieval', '--json', '--min', '0'], 120_000)) as Report;
    expect(report.knowledge.chunks).toBeGreaterThanOrEqual(1000);
    expect(report.knowledge.tokens).toBeGreaterThan(report.knowledge.budgetTokens);
    expect(report.knowledge.embedded).toBe(report.knowledge.chunks);
    expect(report.figure.modes).toEqual({ hybrid: report.figure.questions });
    expect(report.lexical).not.toBeNull();
    // Both figures are real measurements; print them for the record (BENCHMARKS.md quotes them).
    console.log(`parts catalog: lexical + fuzzy ${report.lexical!.percent}%, hybrid ${report.figure.percent}% of ${report.figure.questions}; prompt tokens ${report.figure.promptTokens.mean}`);
    expect(report.figure.promptTokens.p95).toBeLessThan(report.knowledge.budgetTokens);
    const text = await ok(['eval', 'parts', join(EXAMPLES, 'parts-catalog', 'paraphrases.yaml'), '--retrieval', '--min', '0'], 120_000);
    expect(text).toMatch(/^lexical \+ fuzzy: the answering fact reached the model for \d+ of \d+ questions/m);
    expect(text).toMatch(/^hybrid: the answering fact reached the model for \d+ of \d+ questions/m);
  }, 240_000);

  test('expect_fact without --retrieval: the fact must reach the model and the reply', async () => {
    const suite = join(cell.dir, 'facts.yaml');
    writeFileSync(suite, 'cases:\n  - name: cleaning\n    turns:\n      - say: "Сколько стоит профессиональная чистка зубов?"\n        expect: { expect_fact: "15 000" }\n  - name: invented\n    turns:\n      - say: "Сколько стоит профессиональная чистка зубов?"\n        expect: { expect_fact: "99 999" }\n');
    const result = await botctl(['eval', 'dental', suite, '--json'], env);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { results: { caseName: string; passed: boolean; failures: string[] }[] };
    expect(report.results[0]).toMatchObject({ caseName: 'cleaning', passed: true });
    expect(report.results[1]!.failures).toEqual(['the fact "99 999" did not reach the model (whole knowledge)', 'reply does not state the fact "99 999"']);
  }, 60_000);

  test('kb stats shows size in tokens, the mode and embedding coverage; kb budget overrides it per tenant', async () => {
    const stats = JSON.parse(await ok(['kb', 'stats', 'dental', '--json'])) as Report['knowledge'] & { budgetSource: string; embeddingModel: string };
    expect(stats).toMatchObject({ mode: 'whole', budgetTokens: 16000, budgetSource: 'cell', embeddingModel: 'text-embedding-3-small' });
    expect(stats.tokens).toBeGreaterThan(1000);
    expect(await ok(['kb', 'budget', 'dental', '500'])).toMatch(/budget 500 tokens \(tenant\).*mode hybrid/);
    const text = await ok(['kb', 'stats', 'dental']);
    expect(text).toMatch(/^mode +hybrid/m);
    expect(text).toMatch(/^embeddings +0 of \d+ chunks by text-embedding-3-small \(the worker embeds the rest, or: botctl kb embed dental\)/m);
    await ok(['kb', 'budget', 'dental', 'cell']);
    expect(await ok(['kb', 'stats', 'dental'])).toMatch(/^mode +whole/m);
    const bad = await botctl(['kb', 'budget', 'dental', 'lots'], env);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/"lots" is not a number of tokens/);
  }, 60_000);
});
