import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOpenAISimulator, type OpenAISimulator } from '../fakes/openai.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';
import { packageRoot } from '../../src/paths.js';

const EXAMPLE = join(packageRoot, 'templates', 'examples', 'dental-almaty');
const KEY = 'sk-test-eval-0123456789abcdefghij';

let cell: TempCell;
let llm: OpenAISimulator;
let env: Record<string, string>;

async function ok(args: string[]): Promise<string> {
  const result = await botctl(args, env);
  if (result.exitCode !== 0) throw new Error(`botctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  cell = await initCell();
  llm = await startOpenAISimulator({ apiKey: KEY });
  env = { ...cell.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: llm.url };
  await ok(['tenant', 'add', 'dental', '--name', 'Smile Dental', '--timezone', 'Asia/Almaty', '--locale', 'ru']);
  await ok(['prompt', 'set', 'dental', '--file', join(EXAMPLE, 'prompt.md')]);
  await ok(['kb', 'import', 'dental', join(EXAMPLE, 'knowledge')]);
}, 60_000);
afterAll(async () => llm?.close());

describe('botctl eval', () => {
  test('the shipped example suite passes against the LLM simulator and prints a pass/fail table', async () => {
    const result = await botctl(['eval', 'dental', join(EXAMPLE, 'eval.yaml')], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^PASS {2}price of a professional cleaning/m);
    expect(result.stdout).toMatch(/^PASS {2}a service the clinic does not offer goes to a manager\s+#1\s+handover/m);
    expect(result.stdout).toContain('7 of 7 turns met their expectations.');
    expect(llm.requests.length).toBeGreaterThan(0);
  }, 60_000);

  test('a failing expectation exits 1 and says why', async () => {
    const suite = join(cell.dir, 'failing.yaml');
    writeFileSync(suite, 'cases:\n  - name: wrong price\n    turns:\n      - say: "Сколько стоит профессиональная чистка зубов?"\n        expect: { contains: "999 999", escalates: true }\n');
    const result = await botctl(['eval', 'dental', suite, '--json'], env);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { passed: number; failed: number; results: { failures: string[] }[] };
    expect(report).toMatchObject({ passed: 0, failed: 1 });
    expect(report.results[0]!.failures).toEqual(['expected a handover, but the bot answered', 'reply does not contain "999 999"']);
  }, 30_000);

  test('a malformed suite is refused with the line and the expected shape', async () => {
    const suite = join(cell.dir, 'broken.yaml');
    writeFileSync(suite, 'cases:\n  - name: x\n    turns:\n      - say: "hi"\n        expect: { contain: "typo" }\n');
    const result = await botctl(['eval', 'dental', suite], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*broken\.yaml: cases\.0\.turns\.0\.expect .*a suite is \{ name, cases/);
  });
});

describe('botctl chat', () => {
  test('one message: the grounded answer, with the knowledge found and every guardrail verdict', async () => {
    const out = await ok(['chat', 'dental', '--message', 'Сколько стоит профессиональная чистка зубов?', '--verbose']);
    expect(out).toMatch(/^bot> .*15 000/m);
    expect(out).toContain('✓ facts');
    expect(out).toContain('✓ language: cyrillic for ru');
    expect(out).toMatch(/knowledge: .*services\.md|knowledge: .*faq\.json/);
  }, 30_000);

  test('an invented price is vetoed and the reason printed', async () => {
    llm.enqueue({ content: 'Отбеливание стоит всего 9 990 ₸!' });
    const out = await ok(['chat', 'dental', '--message', 'Сколько стоит отбеливание?']);
    expect(out).toMatch(/^bot> Спасибо за вопрос! Я передал его менеджеру/m);
    expect(out).toContain('→ handed to a manager (unsupported_facts): the reply stated facts not in the knowledge base: number "9990"');
  }, 30_000);

  test('the REPL reads lines from standard input and stops at an empty line', async () => {
    const result = await botctl(['chat', 'dental'], env, { input: 'Где вы находитесь?\n\n' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Talking to dental (LLM gpt-4o-mini)');
    expect(result.stdout).toMatch(/bot> .*Абая/);
  }, 30_000);
});

describe('botctl tenant text', () => {
  test("a tenant's own wording is listed, used for its customers, refused with an unknown placeholder, and reset", async () => {
    const custom = 'Спасибо! Передала ваш вопрос администратору клиники, ответим здесь в течение 15 минут.';
    expect(await ok(['tenant', 'text', 'dental', 'ru', 'holding_reply', custom])).toContain('Set holding_reply (ru) of dental.');
    const listed = JSON.parse(await ok(['tenant', 'text', 'dental', 'ru', '--json'])) as { key: string; text: string; own: boolean }[];
    expect(listed.find((t) => t.key === 'holding_reply')).toEqual({ key: 'holding_reply', text: custom, own: true });
    expect(listed.find((t) => t.key === 'manager_greeting')!.own).toBe(false);
    expect(await ok(['chat', 'dental', '--message', 'Вы делаете пирсинг языка?'])).toContain(`bot> ${custom}`);
    const refused = await botctl(['tenant', 'text', 'dental', 'ru', 'manager_greeting', 'Я {manager} из {shop}'], env);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe('Error: {shop} is not filled in for manager_greeting: use only {manager}, {business}.');
    expect((await botctl(['tenant', 'text', 'dental', 'de', 'holding_reply', 'x'], env)).stderr).toContain('"de" is not a supported locale');
    expect((await botctl(['tenant', 'text', 'dental', 'ru', 'goodbye', 'x'], env)).stderr).toContain('"goodbye" is not a customer-facing text');
    await ok(['tenant', 'text', 'dental', 'ru', 'holding_reply', '--reset']);
    expect(await ok(['chat', 'dental', '--message', 'Вы делаете пирсинг языка?'])).toContain('bot> Спасибо за вопрос! Я передал его менеджеру');
  }, 60_000);
});
