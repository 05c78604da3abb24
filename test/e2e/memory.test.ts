import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inboundNotification, textMessage } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const TENANT = { slug: 'mem', name: 'Smile Dental', phoneNumberId: '8100001', token: 'EAAGmemtoken0123456789abcdefghijkl', knowledge: [join(KB, 'smile-services.md')] };
let h: PipelineCell;

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [TENANT], workerFlags: ['--memory-after-ms', '400'] });
}, 60_000);
afterAll(async () => h?.close());

test("a quiet conversation is condensed into the customer's memory, which later turns get as context", async () => {
  const from = '77090000001';
  const say = (body: string) => h.deliver(inboundNotification({ phoneNumberId: TENANT.phoneNumberId, messages: [textMessage({ from, body })], contacts: [{ waId: from, name: 'Данияр' }] }));
  h.llm!.enqueue({ content: 'Чистка зубов стоит 15 000 ₸.' }, { content: '- Клиента зовут Данияр.\n- Спрашивал о цене чистки зубов (15 000 ₸).' });
  await say('Меня зовут Данияр. Сколько стоит чистка зубов?');
  await until(() => h.query<{ summary: string | null }>("SELECT json_extract(metadata, '$.summary') AS summary FROM contacts WHERE provider_id = ?", from)[0]?.summary, 10_000, 'the memory');
  const summaryRequest = h.llm!.requests.at(-1)!;
  expect(JSON.stringify(summaryRequest.body.messages)).toContain('Меня зовут Данияр. Сколько стоит чистка зубов?');
  expect(summaryRequest.body.tools).toBeUndefined();

  h.llm!.enqueue({ content: 'Отбеливание стоит 45 000 ₸.' });
  await say('А отбеливание сколько стоит?');
  await until(() => h.graph.messagesTo(from).length === 2, 10_000, 'the second answer');
  const answerRequest = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('А отбеливание сколько стоит?') && r.body.tools)!;
  expect((answerRequest.body.messages[0] as { content: string }).content).toContain('Клиента зовут Данияр');
}, 40_000);
