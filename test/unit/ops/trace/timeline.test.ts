import { describe, expect, test } from 'vitest';
import { buildTimeline } from '../../../../src/ops/trace/timeline.js';
import type { TracedHandoverEvent, TracedJob } from '../../../../src/storage/trace-lookup-store.js';
import type { StoredTraceEvent } from '../../../../src/storage/trace-store.js';

const T0 = 1_750_000_000_000;
let nextId = 1;
const event = (at: number, step: string, detail: Record<string, unknown> = {}, extra: Partial<StoredTraceEvent> = {}): StoredTraceEvent => ({
  id: nextId++, tenantId: 1, traceId: 't', at: T0 + at, step, outcome: 'ok', durationMs: null, messageId: 1, jobId: null, detail, ...extra,
});
const job = (fields: Partial<TracedJob>): TracedJob => ({
  id: 7, kind: 'deliver_message', state: 'done', attempts: 1, maxAttempts: 10, runAt: T0, lastError: null, traceId: 't',
  createdAt: T0, updatedAt: T0, finishedAt: T0, lockedUntil: null, ...fields,
});
const handover = (at: number, name: string, from: string, to: string, actor: string | null = null): TracedHandoverEvent => ({
  id: nextId++, handoverId: 3, number: 12, event: name, fromState: from, toState: to, actorKind: actor ? 'manager' : 'bot', actorName: actor, reason: null, at: T0 + at,
});

describe('trace timeline', () => {
  test('merges trace, job and handover records in time order, with the time since the first step', () => {
    const steps = buildTimeline({
      tenantSlug: 'smile',
      events: [event(0, 'webhook.received', { kind: 'text', wamid: 'wamid.A' }), event(900, 'handover.opened', { handoverId: 3, number: 12, cause: 'no_knowledge', reason: 'nothing on it' })],
      jobs: [job({ id: 5, kind: 'handle_inbound', createdAt: T0, finishedAt: T0 + 950, runAt: T0 + 300 })],
      handoverEvents: [handover(900, 'created', 'bot', 'waiting'), handover(60_000, 'taken', 'waiting', 'human', 'Aigerim'), handover(600_000, 'resolved', 'human', 'bot', 'Aigerim')],
    });
    expect(steps.map((s) => [s.sinceMs, s.step])).toEqual([
      [0, 'webhook.received'], [0, 'job.created'], [900, 'handover.opened'], [950, 'job.done'], [60_000, 'handover.taken'], [600_000, 'handover.resolved'],
    ]);
    expect(steps[1]!.summary).toBe('#5 handle_inbound, due in 0.3 s');
    expect(steps[2]!.hint).toBe('the knowledge base has nothing on this: if the bot should answer it, add it with botctl kb add smile <file>');
    expect(steps[4]!.summary).toBe('request #12: waiting → human by manager Aigerim');
  });

  test('a handover step the desk traced is shown once, from the trace; the table fills in the rest', () => {
    const steps = buildTimeline({
      tenantSlug: 'smile', jobs: [],
      events: [
        event(0, 'handover.opened', { handoverId: 3, number: 12, cause: 'model_handover', reason: 'wants a manager' }),
        event(95_000, 'handover.taken', { handoverId: 3, manager: 'Aigerim', waitMs: 95_000 }, { traceId: 'handover-3' }),
      ],
      handoverEvents: [handover(0, 'created', 'bot', 'waiting'), handover(95_000, 'taken', 'waiting', 'human', 'Aigerim'), handover(300_000, 'released', 'human', 'waiting', 'Aigerim')],
    });
    expect(steps.map((s) => [s.step, s.source, s.summary])).toEqual([
      ['handover.opened', 'trace', 'request #12 (model_handover): wants a manager'],
      ['handover.taken', 'trace', 'by Aigerim, 95 s after it opened'],
      ['handover.released', 'handover', 'request #12: human → waiting by manager Aigerim'],
    ]);
  });

  test('a dead job carries the fix its error named and the retry command; a retrying one says when it runs again', () => {
    const [, dead] = buildTimeline({
      tenantSlug: 'smile', events: [], handoverEvents: [],
      jobs: [job({ state: 'dead', attempts: 1, finishedAt: T0 + 20, lastError: "permanent error: ChannelApiError: WhatsApp API error 190 (HTTP 401): token expired (fix: create a new token and run `botctl tenant update <slug> --whatsapp-token <new token>`)" })],
    });
    expect(dead).toMatchObject({ step: 'job.dead', outcome: 'error' });
    expect(dead!.hint).toBe('create a new token and run `botctl tenant update smile --whatsapp-token <new token>`; then botctl jobs retry 7');
    const [, failed] = buildTimeline({
      tenantSlug: 'smile', events: [], handoverEvents: [],
      jobs: [job({ state: 'pending', attempts: 2, finishedAt: null, updatedAt: T0 + 50, runAt: T0 + 4000, lastError: 'TransportError: socket hang up' })],
    });
    expect(failed).toMatchObject({ step: 'job.failed', outcome: 'error', summary: expect.stringContaining('attempt 2/10: TransportError: socket hang up; next try') });
    expect(failed!.hint).toBe(`it is retried by itself at ${new Date(T0 + 4000).toISOString()}; botctl jobs show 7`);
  });

  test('errors get hints read back from what was stored: LLM failure class, Graph code of a failed delivery, a disabled tenant', () => {
    const steps = buildTimeline({
      tenantSlug: 'smile', jobs: [], handoverEvents: [],
      events: [
        event(0, 'llm.call', { model: 'm', error: 'the LLM refused our key (401): check OPENAI_API_KEY' }, { outcome: 'error', durationMs: 120 }),
        event(1, 'delivery.failed', { error: { code: 131026, title: 'Message undeliverable' } }, { outcome: 'error' }),
        event(2, 'reply.failed', { error: 'TransportError: fetch failed', attempt: 1 }, { outcome: 'error' }),
        event(3, 'turn.ignored', { reason: 'tenant disabled' }, { outcome: 'skipped' }),
      ],
    });
    expect(steps.map((s) => s.hint)).toEqual([
      expect.stringContaining('set a valid OPENAI_API_KEY'),
      expect.stringContaining('the recipient cannot receive WhatsApp messages'),
      expect.stringContaining('WhatsApp did not answer'),
      'the tenant is disabled: botctl tenant enable smile',
    ]);
    expect(steps.every((s) => s.outcome !== 'error' || s.hint)).toBe(true);
  });
});
