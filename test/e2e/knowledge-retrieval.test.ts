import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { botctl } from '../helpers/cli.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const CATALOG = join(packageRoot, 'templates', 'examples', 'parts-catalog', 'knowledge');
const CLINIC = { slug: 'clinic', name: 'Жан', phoneNumberId: '3000003', token: 'EAAGclinictoken0123456789abcdefghij', prompt: 'Отвечай коротко.', knowledge: [join(KB, 'clinic-basics.md')] };
const PARTS = { slug: 'parts', name: 'Деталь', phoneNumberId: '4000004', token: 'EAAGpartstoken0123456789abcdefghijk', prompt: 'Отвечай коротко.', knowledge: [join(CATALOG, '00-shop.md'), join(CATALOG, '01-catalog.md'), join(CATALOG, '02-catalog.md')] };
// PipelineCell runs the worker with --llm-deadline-ms 4000.
const DEADLINE_MS = 4000;
const DEBOUNCE_MS = 300;

let h: PipelineCell;
let customer = 77020000000;
const nextCustomer = () => String(++customer);

function ask(from: string, body: string, phoneNumberId: string) {
  return inboundNotification({ phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: 'Арман' }] });
}
const repliesTo = (waId: string) => h.graph.messagesTo(waId).map((s) => (s.body.text as { body: string }).body);
const requestFor = (text: string) => h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes(text));
const systemOf = (text: string) => String((requestFor(text)!.body.messages[0] as { content: string }).content);
const tenantId = (slug: string) => h.query<{ id: number }>('SELECT id FROM tenants WHERE slug = ?', slug)[0]!.id;
const vectors = (slug: string) => h.query<{ n: number }>('SELECT count(*) AS n FROM kb_vectors WHERE tenant_id = ?', tenantId(slug))[0]!.n;
const chunks = (slug: string) => h.query<{ n: number }>('SELECT count(*) AS n FROM kb_chunks WHERE tenant_id = ?', tenantId(slug))[0]!.n;
function traceSteps(from: string): { step: string; outcome: string; detail: Record<string, unknown> }[] {
  return h.query<{ step: string; outcome: string; detail: string | null }>(`SELECT t.step, t.outcome, t.detail FROM trace_events t JOIN messages m ON m.id = t.message_id
      WHERE m.contact_id = (SELECT id FROM contacts WHERE provider_id = ?) ORDER BY t.id`, from)
    .map((r) => ({ step: r.step, outcome: r.outcome, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {} }));
}

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [CLINIC, PARTS], debounceMs: DEBOUNCE_MS, extraEnv: { BOTCTL_EMBEDDING_TIMEOUT_MS: '800' } });
  // The catalog (~100 sections) is put beyond this tenant's own budget: its turns get hybrid retrieval, and the
  // budget change makes the worker embed it. The clinic's knowledge is within its budget: never embedded.
  const budget = await botctl(['kb', 'budget', 'parts', '2000'], h.cell.env);
  expect(budget.exitCode, budget.stderr).toBe(0);
  await until(() => vectors('parts') === chunks('parts'), 30_000, 'the worker to embed the catalog');
  await until(() => h.query("SELECT 1 FROM jobs WHERE kind = 'kb.embed' AND state <> 'done'").length === 0, 10_000, 'every embed job to finish');
  expect(vectors('clinic')).toBe(0);
}, 90_000);
afterAll(async () => h?.close());

describe('knowledge through the real path (signed webhook → worker → LLM simulator)', () => {
  test('small knowledge goes whole: a question sharing no word with it still brings the answering fact to the model, and only this tenant\'s', async () => {
    const from = nextCustomer();
    expect(await h.deliver(ask(from, 'Во сколько вы открываетесь?', CLINIC.phoneNumberId))).toBe(200);
    await until(() => repliesTo(from).length === 1, 10_000, 'an answer or a holding reply');
    const system = systemOf('Во сколько вы открываетесь?');
    expect(system).toContain('Ежедневно с 9:00 до 19:00');
    expect(system).toContain('проспект Абая 150');
    // Stable prefix: instructions, the tenant's prompt, then the knowledge; nothing of the other tenant.
    expect(system.indexOf('Отвечай коротко.')).toBeLessThan(system.indexOf('Ежедневно с 9:00'));
    expect(system).not.toContain('Рыскулова');
    const search = traceSteps(from).find((s) => s.step === 'knowledge.search')!;
    expect(search.detail).toMatchObject({ mode: 'whole', toc: 0 });
    expect(search.detail.promptTokens as number).toBeGreaterThan(50);
    expect((search.detail.chunks as unknown[]).length).toBe(chunks('clinic'));
  }, 30_000);

  test('a question the knowledge cannot answer still ends in a holding reply and a card: the model saw the knowledge and handed over', async () => {
    const from = nextCustomer();
    expect(await h.deliver(ask(from, 'Вы делаете пирсинг языка?', CLINIC.phoneNumberId))).toBe(200);
    await until(() => h.query('SELECT 1 FROM handovers WHERE contact_id = (SELECT id FROM contacts WHERE provider_id = ?)', from).length === 1, 10_000, 'the handover');
    await until(() => repliesTo(from).length === 1, 10_000, 'the holding reply');
    expect(repliesTo(from)[0]).toMatch(/менеджер/);
    expect(requestFor('Вы делаете пирсинг языка?')).toBeDefined();
    expect(h.query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE kind = 'post_handover_card' AND payload LIKE '%handoverId%'")[0]!.n).toBeGreaterThan(0);
    const opened = traceSteps(from).find((s) => s.step === 'handover.opened')!;
    expect(opened.detail.cause).toBe('model_handover');
  }, 30_000);

  test('beyond the budget: hybrid retrieval sends the tenant\'s best chunks with their scores and its table of contents, never another tenant\'s', async () => {
    const from = nextCustomer();
    expect(await h.deliver(ask(from, 'масл фильтр на камри есть? почем', PARTS.phoneNumberId))).toBe(200);
    await until(() => repliesTo(from).length === 1, 10_000, 'the reply');
    const system = systemOf('масл фильтр на камри есть? почем');
    expect(system).toMatch(/Фильтр масляный \S+ \S+ для Toyota Camry/);
    expect(system).toContain('Разделы базы знаний');
    expect(system).not.toContain('Ежедневно с 9:00');
    const search = traceSteps(from).find((s) => s.step === 'knowledge.search')!;
    expect(search.detail.mode).toBe('hybrid');
    const traced = search.detail.chunks as { title: string; score: number }[];
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.every((c) => typeof c.score === 'number' && c.score > 0)).toBe(true);
    expect(search.detail.knowledgeTokens as number).toBeGreaterThan(search.detail.budgetTokens as number);
    const trace = await botctl(['trace', `+${from}`], h.cell.env);
    expect(trace.exitCode, trace.stderr).toBe(0);
    expect(trace.stdout).toMatch(/knowledge\.search +\d+ ms +hybrid \(words \+ meaning\): \d+ chunk\(s\), prompt \d+ tokens \(knowledge \d+ > budget 2000\); table of contents \d+ titles; best: \S+ › .+ 0\.\d+/);
  }, 30_000);

  for (const [what, failure] of [['down (500)', { status: 500 }], ['rate-limiting (429)', { status: 429, retryAfterSeconds: 30 }], ['hanging', { hang: true as const }]] as const) {
    test(`embeddings API ${what} during a turn: words alone, a trace step says so, and the answer comes within the brain's deadline`, async () => {
      h.llm!.failEmbeddings(failure);
      try {
        const from = nextCustomer();
        const sent = Date.now();
        expect(await h.deliver(ask(from, 'фильтр воздушный на короллу сколько стоит', PARTS.phoneNumberId))).toBe(200);
        await until(() => repliesTo(from).length === 1, DEBOUNCE_MS + DEADLINE_MS + 3000, 'the reply');
        expect(Date.now() - sent).toBeLessThan(DEBOUNCE_MS + DEADLINE_MS + 1500);
        const steps = traceSteps(from);
        const fallback = steps.find((s) => s.step === 'knowledge.embeddings')!;
        expect(fallback).toMatchObject({ outcome: 'error', detail: { fallback: 'lexical' } });
        expect(steps.find((s) => s.step === 'knowledge.search')!.detail.mode).toBe('lexical_fallback');
        const trace = await botctl(['trace', `+${from}`], h.cell.env);
        expect(trace.stdout).toMatch(/knowledge\.embeddings +ERROR .*answered from words alone/);
        expect(trace.stdout).toMatch(/hint: the embeddings API .* failed or was slower than BOTCTL_EMBEDDING_TIMEOUT_MS/);
        expect(trace.stdout).toMatch(/knowledge\.search .*words alone \(embeddings failed\)/);
        expect(systemOf('фильтр воздушный на короллу сколько стоит')).toMatch(/Фильтр воздушный \S+ \S+ для Toyota Corolla/);
      } finally {
        h.llm!.failEmbeddings(null);
      }
    }, 30_000);
  }

  test('embeddings API failing during an import: the job retries and resumes where it stopped, embedding each chunk once', async () => {
    const before = h.llm!.embeddingRequests.length;
    // The first batch succeeds, the second is rate-limited, then the API recovers.
    h.llm!.enqueueEmbedding('ok', { status: 429, retryAfterSeconds: 1 });
    const added = await botctl(['kb', 'add', 'parts', join(CATALOG, '03-catalog.md'), join(CATALOG, '04-catalog.md')], h.cell.env);
    expect(added.exitCode, added.stderr).toBe(0);
    await until(() => vectors('parts') === chunks('parts'), 30_000, 'the import to be embedded');
    const requests = h.llm!.embeddingRequests.slice(before).filter((r) => r.inputs.length > 1);
    expect(requests.length).toBeGreaterThanOrEqual(3);
    const embedded = requests.slice(0, 1).concat(requests.slice(2)).flatMap((r) => r.inputs);
    // Every new chunk was embedded exactly once by the successful requests: the retry did not start over.
    expect(new Set(embedded).size).toBe(embedded.length);
    expect(embedded.length).toBe(100);
    const job = h.query<{ state: string; attempts: number }>("SELECT state, attempts FROM jobs WHERE kind = 'kb.embed' ORDER BY id DESC LIMIT 1")[0]!;
    expect(job).toEqual({ state: 'done', attempts: 2 });
  }, 60_000);

  test('the worker killed (SIGKILL) while embedding an import: after the restart the rest is embedded, finished batches are not redone', async () => {
    const before = h.llm!.embeddingRequests.length;
    // The second batch hangs for a while: the worker dies with it in flight.
    h.llm!.enqueueEmbedding('ok', { delayMs: 20_000, then: 'ok' });
    const added = await botctl(['kb', 'add', 'parts', join(CATALOG, '05-catalog.md'), join(CATALOG, '06-catalog.md')], h.cell.env);
    expect(added.exitCode, added.stderr).toBe(0);
    const batches = () => h.llm!.embeddingRequests.slice(before).filter((r) => r.inputs.length > 1);
    await until(() => batches().length >= 2, 15_000, 'the second batch to be in flight');
    const first = new Set(batches()[0]!.inputs);
    await h.worker.kill();
    expect(vectors('parts')).toBe(chunks('parts') - 100 + 64);
    await h.restartWorker();
    await until(() => vectors('parts') === chunks('parts'), 30_000, 'the rest of the import to be embedded');
    expect(batches().slice(2).flatMap((r) => r.inputs).filter((text) => first.has(text))).toEqual([]);
  }, 60_000);

  test('a changed embeddings model: the first turn answers from words and asks for vectors; the tenant is re-embedded, the old vectors go', async () => {
    await h.worker.kill();
    await h.restartWorker([], { BOTCTL_EMBEDDING_MODEL: 'text-embedding-3-large' });
    const from = nextCustomer();
    expect(await h.deliver(ask(from, 'масл фильтр на короллу почем', PARTS.phoneNumberId))).toBe(200);
    await until(() => repliesTo(from).length === 1, 10_000, 'the reply');
    expect(traceSteps(from).find((s) => s.step === 'knowledge.search')!.detail).toMatchObject({ mode: 'lexical_fallback', fallback: expect.stringMatching(/no vectors of text-embedding-3-large yet/) });
    const models = () => h.query<{ model: string; n: number }>('SELECT model, count(*) AS n FROM kb_vectors GROUP BY model ORDER BY model');
    await until(() => { const m = models(); return m.length === 1 && m[0]!.model === 'text-embedding-3-large' && m[0]!.n === chunks('parts'); }, 30_000, 'vectors of the new model only');
    expect(h.query<{ dims: number }>('SELECT DISTINCT dims FROM kb_vectors')).toEqual([{ dims: 3072 }]);
    const next = nextCustomer();
    expect(await h.deliver(ask(next, 'масл фильтр на короллу почем?', PARTS.phoneNumberId))).toBe(200);
    await until(() => repliesTo(next).length === 1, 10_000, 'the reply');
    expect(traceSteps(next).find((s) => s.step === 'knowledge.search')!.detail.mode).toBe('hybrid');
  }, 60_000);
});
