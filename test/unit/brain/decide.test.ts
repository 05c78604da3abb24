import { describe, expect, test } from 'vitest';
import { Brain } from '../../../src/brain/brain.js';
import type { Snippet, TurnContext } from '../../../src/brain/context.js';
import type { ChatMessage, LlmPort, LlmResult, ToolSpec } from '../../../src/brain/llm.js';

/** A recording fake of the LLM (the network edge): answers in order, keeps every request. */
class FakeLlm implements LlmPort {
  readonly model = 'fake';
  readonly requests: { messages: ChatMessage[]; tools: ToolSpec[] }[] = [];
  constructor(private readonly answers: LlmResult[]) {}
  async complete(request: { messages: ChatMessage[]; tools: ToolSpec[] }): Promise<LlmResult> {
    this.requests.push(request);
    return this.answers.shift() ?? { content: null, toolCalls: [] };
  }
  async transcribe(): Promise<string> {
    return '';
  }
}

const HOURS: Snippet = { sourceName: 'clinic.md', heading: 'Часы работы', text: 'Ежедневно с 9:00 до 19:00.', chunkId: 1 };
const ADDRESS: Snippet = { sourceName: 'clinic.md', heading: 'Адрес', text: 'проспект Абая 150.', chunkId: 2 };

function context(over: Partial<TurnContext> = {}): TurnContext {
  return {
    business: 'Жан', tenantLocale: 'ru', tenantPrompt: 'Отвечай коротко.', newMessages: ['Во сколько вы открываетесь?'], history: [],
    snippets: [HOURS, ADDRESS], toc: [], lexicalHits: 0, memory: null, language: 'ru', faqAnswer: null, ...over,
  };
}
const signal = () => new AbortController().signal;

describe('who decides that the knowledge answers a question', () => {
  test('with a model: no word shared with the knowledge is not a handover; the model gets the knowledge and answers', async () => {
    const llm = new FakeLlm([{ content: 'Мы открываемся в 9:00, работаем ежедневно.', toolCalls: [] }]);
    const decision = await new Brain(llm).decide(context(), signal());
    expect(decision).toMatchObject({ kind: 'reply', text: 'Мы открываемся в 9:00, работаем ежедневно.' });
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.messages[0]!.content).toContain('Ежедневно с 9:00 до 19:00.');
    expect(decision.verdicts.map((v) => v.check)).not.toContain('relevance');
  });

  test('with a model and nothing retrieved: the model still decides, and its handover tool is the handover', async () => {
    const llm = new FakeLlm([{ content: null, toolCalls: [{ name: 'handover_to_manager', arguments: { reason: 'не знаю ответа' } }] }]);
    const decision = await new Brain(llm).decide(context({ snippets: [], newMessages: ['Вы делаете пирсинг?'] }), signal());
    expect(decision).toMatchObject({ kind: 'escalate', cause: 'model_handover', reason: 'не знаю ответа' });
    expect(llm.requests).toHaveLength(1);
  });

  test('the facts guardrail checks against exactly the knowledge the model was given', async () => {
    // The address is true for the tenant but was not in this prompt (retrieval left it out): vetoed.
    const llm = new FakeLlm([{ content: 'Мы на проспекте Абая 150, открыты с 9:00.', toolCalls: [] }]);
    const decision = await new Brain(llm).decide(context({ snippets: [HOURS] }), signal());
    expect(decision).toMatchObject({ kind: 'escalate', cause: 'unsupported_facts' });
    // A title of the table of contents counts as given.
    const withToc = await new Brain(new FakeLlm([{ content: 'Раздел «Адрес 150» есть, открыты с 9:00.', toolCalls: [] }])).decide(context({ snippets: [HOURS], toc: ['clinic.md › Адрес 150'] }), signal());
    expect(withToc.kind).toBe('reply');
  });

  test('an invented price is vetoed in whole mode as before', async () => {
    const llm = new FakeLlm([{ content: 'Приём стоит 12 000 ₸, открыты с 9:00.', toolCalls: [] }]);
    expect(await new Brain(llm).decide(context(), signal())).toMatchObject({ kind: 'escalate', cause: 'unsupported_facts' });
  });

  test('without a model the extractive path is unchanged: no matching words → no_knowledge, matching words but no FAQ → no_llm, FAQ → its answer', async () => {
    const brain = new Brain(null);
    expect(await brain.decide(context({ lexicalHits: 0 }), signal())).toMatchObject({ kind: 'escalate', cause: 'no_knowledge' });
    expect(await brain.decide(context({ lexicalHits: 2 }), signal())).toMatchObject({ kind: 'escalate', cause: 'no_llm' });
    expect(await brain.decide(context({ lexicalHits: 1, faqAnswer: 'С 9:00 до 19:00.' }), signal())).toMatchObject({ kind: 'reply', text: 'С 9:00 до 19:00.' });
    // Whole knowledge in the context does not make an unmatched question "grounded" without a model.
    expect(await brain.decide(context({ lexicalHits: 0, snippets: [HOURS, ADDRESS] }), signal())).toMatchObject({ cause: 'no_knowledge' });
  });

  test('the deadline counts from the start of the turn, so time spent retrieving is inside it', async () => {
    let now = 10_000;
    const slow: LlmPort = { model: 'slow', transcribe: async () => '', complete: async () => { throw Object.assign(new Error('timeout'), {}); } };
    const decision = await new Brain(slow, { callTimeoutMs: 1000, deadlineMs: 2000 }, () => now).decide(context({ startedAt: now - 5000 }), signal());
    now += 1;
    expect(decision).toMatchObject({ kind: 'escalate', cause: 'llm_unavailable' });
    expect(decision.llmCalls).toHaveLength(1);
  });
});
