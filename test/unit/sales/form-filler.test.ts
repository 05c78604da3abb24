import { describe, expect, test } from 'vitest';
import { formFillingStep } from '../../../src/simulators/openai/form-filler.js';
import type { ChatRequest } from '../../../src/simulators/openai/types.js';

const tool = {
  type: 'function' as const,
  function: {
    name: 'reserve_table', description: 'reserve a table',
    parameters: { type: 'object', properties: { room: { type: 'string', enum: ['Terrace', 'Main hall'] }, when: { type: 'string', description: 'day and time' }, guest: { type: 'string', description: 'guest name' } }, required: ['room', 'when', 'guest'] },
  },
};
const request = (users: string[], extra: Partial<ChatRequest['body']> = {}): ChatRequest => ({
  body: { model: 'm', messages: [{ role: 'system', content: 'sys' }, ...users.map((content) => ({ role: 'user' as const, content }))], tools: [tool], ...extra },
  receivedAt: new Date(), headers: {},
});

describe('the simulator fills any choice-plus-details tool from the conversation', () => {
  test('fills what the customer gave, across messages, and calls only when the newest message adds to it', () => {
    expect(formFillingStep(request(['A table on the terrace for Friday at 19:30 please']))).toEqual({ toolCall: { name: 'reserve_table', arguments: { room: 'Terrace', when: 'Friday at 19:30' } } });
    expect(formFillingStep(request(['A table on the terrace for Friday at 19:30 please', 'my name is Ann']))).toEqual({ toolCall: { name: 'reserve_table', arguments: { room: 'Terrace', when: 'Friday at 19:30', guest: 'Ann' } } });
    expect(formFillingStep(request(['A table on the terrace for Friday at 19:30 please', 'thank you']))).toBeNull();
  });

  test('a question about a choice alone is not a request; tool_choice none and tool results are respected', () => {
    expect(formFillingStep(request(['Is the terrace heated?']))).toBeNull();
    expect(formFillingStep(request(['terrace at 19:30'], { tool_choice: 'none' }))).toBeNull();
  });
});
