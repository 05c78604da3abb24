import OpenAI, { APIConnectionTimeoutError, APIError, AuthenticationError, BadRequestError, NotFoundError, RateLimitError, toFile } from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { until } from '../../helpers/until.js';
import { startOpenAISimulator, type OpenAISimulator } from '../../fakes/openai.js';

const KEY = 'sk-test-simulator-key-0123456789';
let sim: OpenAISimulator;

afterEach(async () => {
  await sim?.close();
});

async function start(options: Parameters<typeof startOpenAISimulator>[0] = {}) {
  sim = await startOpenAISimulator({ apiKey: KEY, ...options });
  return new OpenAI({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
}

const ask = (client: OpenAI, content = 'hi', options?: OpenAI.RequestOptions) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, options);

const HANDOVER_TOOL = {
  type: 'function' as const,
  function: { name: 'handover_to_manager', description: 'hand over', parameters: { type: 'object', properties: { reason: { type: 'string' } } } },
};

// The knowledge block as src/brain/prompt-assembly.ts writes it: a heading, then <<< [n] label + text >>>.
const SYSTEM_PROMPT = [
  'You are the assistant of "Asem Flowers". Answer only from the Knowledge section; never invent prices or addresses.',
  '## Knowledge',
  '<<<',
  '[1] faq.md › Delivery',
  'Доставка по городу стоит 1500 тенге. Заказы после 18:00 доставляем на следующий день.',
  '',
  '[2] faq.md › Shop',
  'Our shop is at 12 Abay Avenue, open from 9 to 21.',
  'Объём вазы 3 литра.',
  '>>>',
].join('\n');

describe('OpenAI simulator through the openai SDK', () => {
  test('returns scripted content as a complete chat.completion and records the request', async () => {
    const client = await start();
    sim.enqueue({ content: 'Hello from the script' });
    const completion = await ask(client, 'Привет');
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello from the script' } });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]!.body.messages).toEqual([{ role: 'user', content: 'Привет' }]);
    expect(sim.requests[0]!.receivedAt).toBeInstanceOf(Date);
  });

  test('a scripted tool call reads back from choices[0].message.tool_calls', async () => {
    const client = await start();
    sim.enqueue({ toolCall: { name: 'handover_to_manager', arguments: { reason: 'wants a refund' } } });
    const completion = await ask(client, 'I want my money back');
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    expect(call.id).toMatch(/^call_/);
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('handover_to_manager');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'wants a refund' });
  });

  test('a 500 step is an APIError with status 500 and the server_error envelope', async () => {
    const client = await start();
    sim.enqueue({ status: 500 });
    const error = await ask(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(500);
    expect((error as APIError).type).toBe('server_error');
  });

  test('a 429 step carries retry-after and the rate limit code', async () => {
    const client = await start();
    sim.enqueue({ status: 429, retryAfterSeconds: 7 });
    const error = await ask(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers?.get('retry-after')).toBe('7');
    expect((error as RateLimitError).code).toBe('rate_limit_exceeded');
  });

  test('a hang is cut by the SDK timeout, and the simulator sees the request close', async () => {
    const client = await start();
    sim.enqueue({ hang: true });
    const started = Date.now();
    const error = await ask(client, 'hi', { timeout: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await until(() => sim.inFlight === 0, 2000, 'the hung request to close');
    expect(sim.peakInFlight).toBe(1);
  });

  test('delayed steps overlap: inFlight and peakInFlight count concurrent requests', async () => {
    const client = await start();
    sim.enqueue(...[1, 2, 3].map((n) => ({ delayMs: 200, then: { content: `answer ${n}` } })));
    const pending = Promise.all([ask(client, 'a'), ask(client, 'b'), ask(client, 'c')]);
    await until(() => sim.inFlight === 3, 2000, 'three requests in flight');
    const answers = (await pending).map((c) => c.choices[0]!.message.content).sort();
    expect(answers).toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(sim.peakInFlight).toBe(3);
    await until(() => sim.inFlight === 0, 2000, 'in-flight back to 0');
  });

  test('streaming is refused with a 400 envelope', async () => {
    const client = await start();
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toMatch(/streaming is not supported/i);
  });

  test('transcribes an uploaded voice note and records its size, type and model', async () => {
    const client = await start();
    sim.enqueueTranscription('Сколько стоит доставка?', { status: 503 });
    const audio = Buffer.alloc(3210, 7);
    const file = await toFile(audio, 'voice.ogg', { type: 'audio/ogg' });
    const result = await client.audio.transcriptions.create({ file, model: 'whisper-1', language: 'ru' });
    expect(result.text).toBe('Сколько стоит доставка?');
    expect(sim.transcriptions[0]).toMatchObject({ model: 'whisper-1', fileName: 'voice.ogg', mimeType: 'audio/ogg', size: 3210, language: 'ru' });
    const failed = await client.audio.transcriptions
      .create({ file: await toFile(audio, 'voice.ogg', { type: 'audio/ogg' }), model: 'whisper-1' })
      .catch((e: unknown) => e);
    expect((failed as APIError).status).toBe(503);
    const unsupported = await client.audio.transcriptions
      .create({ file: await toFile(audio, 'voice.bin'), model: 'whisper-1' })
      .catch((e: unknown) => e);
    expect(unsupported).toBeInstanceOf(BadRequestError);
  });

  test('lists and retrieves the configured models', async () => {
    const client = await start({ models: ['gpt-4o-mini', 'whisper-1'] });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'whisper-1']);
    expect(await client.models.retrieve('whisper-1')).toMatchObject({ id: 'whisper-1', object: 'model' });
    await expect(client.models.retrieve('gpt-9')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a wrong API key is a 401 AuthenticationError and the request is not recorded', async () => {
    await start();
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-123456789', baseURL: sim.url, maxRetries: 0 });
    const error = await ask(wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).code).toBe('invalid_api_key');
    expect((error as AuthenticationError).message).toContain('Incorrect API key provided');
    expect(sim.requests).toHaveLength(0);
  });

  test('the default responder answers with the best-matching knowledge sentence, ё and е alike', async () => {
    const client = await start();
    const answer = async (question: string) => (await client.chat.completions.create({
      model: 'gpt-4o-mini', tools: [HANDOVER_TOOL], tool_choice: 'auto',
      messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: question }],
    })).choices[0]!.message;
    expect((await answer('Сколько стоит доставка по городу?')).content).toBe('Доставка по городу стоит 1500 тенге.');
    expect((await answer('What is the address of the shop?')).content).toBe('Our shop is at 12 Abay Avenue, open from 9 to 21.');
    expect((await answer('Какой объем у вазы?')).content).toBe('Объём вазы 3 литра.');
  });

  test('the default responder calls the handover tool when nothing matches, else says it does not know', async () => {
    const client = await start();
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: 'Do you sell tractors?' },
    ];
    const withTool = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [HANDOVER_TOOL] });
    const call = withTool.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('handover_to_manager');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'not in the knowledge base' });
    const withoutTool = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(withoutTool.choices[0]!.message.content).toBe("I don't know.");
  });

  test('setResponder takes over when the queue is empty; reset restores the default', async () => {
    const client = await start();
    sim.setResponder(async (request) => ({ content: `echo: ${String(request.body.messages.at(-1)?.content)}` }));
    sim.enqueue({ content: 'queued first' });
    expect((await ask(client, 'one')).choices[0]!.message.content).toBe('queued first');
    expect((await ask(client, 'two')).choices[0]!.message.content).toBe('echo: two');
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect((await ask(client, 'three')).choices[0]!.message.content).toBe("I don't know.");
  });
});
