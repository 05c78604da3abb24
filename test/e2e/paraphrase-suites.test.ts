import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadSuite } from '../../src/eval/suite.js';
import { normalizeFact } from '../../src/eval/facts.js';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const EXAMPLES = join(packageRoot, 'templates', 'examples');
const files = (example: string) => readdirSync(join(EXAMPLES, example, 'knowledge')).map((f) => join(EXAMPLES, example, 'knowledge', f));
const TENANTS = [
  { example: 'dental-almaty', slug: 'dental', name: 'Smile Dental', phoneNumberId: '5000005', token: 'EAAGdentaltoken0123456789abcdefghij' },
  { example: 'auto-service-astana', slug: 'bolt', name: 'Bolt', phoneNumberId: '6000006', token: 'EAAGbolttoken00123456789abcdefghijk' },
];

let h: PipelineCell;

beforeAll(async () => {
  h = await PipelineCell.start({
    debounceMs: 100,
    tenants: TENANTS.map((t) => ({ ...t, prompt: readFileSync(join(EXAMPLES, t.example, 'prompt.md'), 'utf8'), knowledge: files(t.example) })),
  });
}, 90_000);
afterAll(async () => h?.close());

describe('the shipped paraphrase suites through the real path (signed webhook → worker → LLM simulator request)', () => {
  for (const tenant of TENANTS) {
    test(`${tenant.example}: the answering fact is in the request the model gets for ≥ 95% of the questions`, async () => {
      const questions = loadSuite(join(EXAMPLES, tenant.example, 'paraphrases.yaml')).cases.flatMap((c) => c.turns)
        .map((t) => ({ say: t.say, facts: ([] as string[]).concat(t.expect.expect_fact ?? []) }));
      expect(questions.length).toBeGreaterThanOrEqual(50);
      // One customer per question, all at once, as a busy morning would bring them.
      const customers = questions.map((_, i) => `7703${tenant.phoneNumberId.slice(0, 1)}${String(i).padStart(5, '0')}`);
      const statuses = await Promise.all(questions.map((q, i) => h.deliver(inboundNotification({
        phoneNumberId: tenant.phoneNumberId, messages: [textMessage({ from: customers[i]!, body: q.say })], contacts: [{ waId: customers[i]!, name: 'Клиент' }],
      }))));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const requestFor = (say: string) => h.llm!.requests.find((r) => {
        const last = r.body.messages.at(-1) as { role: string; content: string };
        return last.role === 'user' && last.content === say && String((r.body.messages[0] as { content: string }).content).includes(tenant.name);
      });
      await until(() => questions.every((q) => requestFor(q.say)), 60_000, 'a model request for every question');
      const reached = questions.filter((q) => {
        const system = normalizeFact(String((requestFor(q.say)!.body.messages[0] as { content: string }).content));
        return q.facts.every((f) => system.includes(normalizeFact(f)));
      });
      const percent = (reached.length / questions.length) * 100;
      console.log(`${tenant.example} through webhooks: the answering fact reached the model for ${reached.length} of ${questions.length} questions (${percent.toFixed(1)}%)`);
      expect(percent).toBeGreaterThanOrEqual(95);
      // Every customer was answered or handed over: nobody is left in silence.
      await until(() => customers.every((c) => h.graph.messagesTo(c).length === 1), 30_000, 'a reply or holding reply for every customer');
      // Never the other tenant's knowledge.
      const other = TENANTS.find((t) => t !== tenant)!;
      expect(questions.some((q) => String((requestFor(q.say)!.body.messages[0] as { content: string }).content).includes(other.name))).toBe(false);
    }, 120_000);
  }
});
