import { describe, expect, test } from 'vitest';
import { Brain } from '../../../src/brain/brain.js';
import { bookingTool, checkBookingArguments } from '../../../src/brain/booking-tool.js';
import type { TurnContext } from '../../../src/brain/context.js';
import type { ChatMessage, LlmPort, LlmResult, ToolSpec } from '../../../src/brain/llm.js';
import type { Service } from '../../../src/sales/services.js';

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

const SERVICES: Service[] = [{ name: 'Чистка', durationMin: 60, price: '15 000 ₸' }, { name: 'Отбеливание', durationMin: 90, price: null }];
const context = (over: Partial<TurnContext> = {}): TurnContext => ({
  business: 'Smile', tenantLocale: 'ru', tenantPrompt: '', newMessages: ['Запишите меня'], history: [], snippets: [], toc: [], lexicalHits: 0,
  memory: null, language: 'ru', faqAnswer: null, services: SERVICES, ...over,
});
const signal = () => new AbortController().signal;

describe('the booking tool: a schema checked in code', () => {
  test.each([
    [{ service: 'чистка', preferred_time: ' завтра   в 15:00 ', customer_name: 'Айгерим' }, { ok: true, request: { service: 'Чистка', preferredTime: 'завтра в 15:00', customerName: 'Айгерим' } }],
    [{ service: 'Пирсинг', preferred_time: 'завтра', customer_name: 'Айгерим' }, { ok: false, missing: ['service'] }],
    [{ service: 'Чистка', preferred_time: '', customer_name: 42 }, { ok: false, missing: ['time', 'name'] }],
    [{ service: 'Чистка', preferred_time: 'x'.repeat(101), customer_name: 'A' }, { ok: false, missing: ['time'] }],
    [{}, { ok: false, missing: ['service', 'time', 'name'] }],
  ])('%j → %j', (args, expected) => {
    expect(checkBookingArguments(args, SERVICES)).toMatchObject(expected);
  });

  test('the schema lists exactly the tenant\'s services as the only choices', () => {
    const spec = bookingTool(SERVICES);
    expect((spec.parameters as { properties: { service: { enum: string[] } } }).properties.service.enum).toEqual(['Чистка', 'Отбеливание']);
  });

  test('the model is offered the tool only when the tenant has services, and a valid call becomes a request, never a reply', async () => {
    const llm = new FakeLlm([{ content: 'Записала вас, ждём!', toolCalls: [{ name: 'request_booking', arguments: { service: 'Чистка', preferred_time: 'завтра в 15:00', customer_name: 'Айгерим' } }] }]);
    const decision = await new Brain(llm).decide(context(), signal());
    expect(decision).toMatchObject({ kind: 'booking', request: { service: 'Чистка', preferredTime: 'завтра в 15:00', customerName: 'Айгерим' } });
    expect(llm.requests[0]!.tools.map((t) => t.name)).toEqual(['handover_to_manager', 'request_booking']);
    expect(llm.requests[0]!.messages[0]!.content).toContain('Чистка — 60 min — 15 000 ₸');

    const without = new FakeLlm([{ content: 'Здравствуйте!', toolCalls: [] }]);
    await new Brain(without).decide(context({ services: [] }), signal());
    expect(without.requests[0]!.tools.map((t) => t.name)).toEqual(['handover_to_manager']);
  });

  test('an invented service is not booked: the bot asks which one', async () => {
    const llm = new FakeLlm([{ content: null, toolCalls: [{ name: 'request_booking', arguments: { service: 'Имплант', preferred_time: 'завтра', customer_name: 'Айгерим' } }] }]);
    expect(await new Brain(llm).decide(context(), signal())).toMatchObject({ kind: 'booking_incomplete', missing: ['service'] });
  });

  test('service prices and the customer\'s bookings are knowledge for the facts guardrail', async () => {
    const llm = new FakeLlm([{ content: 'Чистка стоит 15 000 ₸. Ваша запись: завтра в 15:00.', toolCalls: [] }]);
    const decision = await new Brain(llm).decide(context({ bookings: ['Ваша запись: «Чистка», завтра в 15:00 — подтверждена.'] }), signal());
    expect(decision).toMatchObject({ kind: 'reply' });
    const invented = new FakeLlm([{ content: 'Отбеливание стоит 30 000 ₸.', toolCalls: [] }]);
    expect(await new Brain(invented).decide(context(), signal())).toMatchObject({ kind: 'escalate', cause: 'unsupported_facts' });
  });
});
