import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OpenAiLlm } from '../../../src/brain/openai-llm.js';
import { entriesRequest, parseEntries } from '../../../src/learning/entries.js';
import { OpenAISimulator } from '../../../src/simulators/openai/server.js';

let sim: OpenAISimulator;
let llm: OpenAiLlm;

beforeAll(async () => {
  sim = await OpenAISimulator.start();
  llm = new OpenAiLlm({ apiKey: 'sk-test', baseURL: sim.url, model: 'gpt-4o-mini' });
});
afterAll(async () => sim.close());

const ask = async (lines: { author: 'customer' | 'manager' | 'bot'; text: string }[], max: number) =>
  parseEntries(await llm.complete(entriesRequest(lines, max), { signal: new AbortController().signal, timeoutMs: 5000 }), max);

describe('the OpenAI simulator drafts knowledge entries from any conversation (through the openai client)', () => {
  test('one entry per exchange; greetings dropped; the answer copied as written', async () => {
    expect(await ask([
      { author: 'customer', text: 'Hello! Do you repair gearboxes?' },
      { author: 'bot', text: 'I have passed your question to a manager.' },
      { author: 'manager', text: 'Good afternoon. Yes, gearbox repair starts at 80 000 ₸.' },
      { author: 'customer', text: 'And how long does it take?' },
      { author: 'manager', text: 'Usually 3 working days.' },
      { author: 'customer', text: 'Thanks!' },
    ], 5)).toEqual([
      { question: 'Do you repair gearboxes?', answer: 'Yes, gearbox repair starts at 80 000 ₸.' },
      { question: 'And how long does it take?', answer: 'Usually 3 working days.' },
    ]);
  });

  test('maxItems 1 merges the exchanges into one entry', async () => {
    expect(await ask([
      { author: 'customer', text: 'Сколько стоит чистка?' },
      { author: 'manager', text: 'Чистка стоит 15 000 ₸.' },
      { author: 'customer', text: 'А сколько длится?' },
      { author: 'manager', text: 'Около часа.' },
    ], 1)).toEqual([{ question: 'Сколько стоит чистка?', answer: 'Чистка стоит 15 000 ₸. Около часа.' }]);
  });

  test('a conversation without an answer gives no entry', async () => {
    expect(await ask([{ author: 'customer', text: 'Hello?' }], 5)).toEqual([]);
  });
});
