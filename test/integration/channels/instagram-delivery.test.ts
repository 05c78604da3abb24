import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeliverMessage, type OutboundRoutes } from '../../../src/channels/deliver-message.js';
import { InstagramChannel, splitText } from '../../../src/channels/instagram/instagram-channel.js';
import type { OutboundStore, OutboundToSend, TraceEvent } from '../../../src/conversation/ports.js';
import type { Job } from '../../../src/jobs/types.js';
import { startInstagramGraphSimulator, type InstagramGraphSimulator } from '../../../src/simulators/instagram/index.js';

const DAY = 24 * 60 * 60_000;
const ACCOUNT = '17841400000000009';
const TOKEN = 'IGAA-delivery-token-0123456789';

let ig: InstagramGraphSimulator;
let now = Date.now();
beforeAll(async () => {
  ig = await startInstagramGraphSimulator({ clock: () => now });
  ig.setAccount(ACCOUNT, TOKEN);
});
afterAll(async () => ig?.close());

/** A recording outbound store with one message in it. */
function storeWith(message: Partial<OutboundToSend>) {
  const row: OutboundToSend = {
    id: 1, tenantId: 1, channelAccountId: 5, contactId: 1, handoverId: 1, authorKind: 'manager', to: 'x', body: 'Здравствуйте!', type: 'text', media: null,
    providerMessageId: null, deliveryStatus: 'queued', traceId: 't', ...message,
  };
  const calls: string[] = [];
  const store: OutboundStore = {
    load: () => row,
    markSent: (_id, mid) => { row.providerMessageId = mid; calls.push('sent'); },
    markFailed: (_id, error) => { row.deliveryStatus = 'failed'; calls.push(`failed: ${error}`); },
    markTokenBroken: () => { calls.push('token broken'); },
  };
  return { row, store, calls };
}

function deliverer(store: OutboundStore, outcomes: unknown[], traces: TraceEvent[]) {
  const routes: OutboundRoutes = { forAccount: () => ({ channel: 'instagram', sender: new InstagramChannel({ baseUrl: ig.url, timeoutMs: 3000 }), credentials: { externalId: ACCOUNT, accessToken: TOKEN } }) };
  return new DeliverMessage({ outbound: store, routes, tracer: { record: (e) => void traces.push(e) }, clock: () => now, onOutcome: (m) => void outcomes.push(m) });
}
const job = { id: 1, attempts: 1, maxAttempts: 10, payload: { messageId: 1, channelAccountId: 5 } } as unknown as Job;

describe('Instagram delivery windows (the deliver job, the Instagram adapter, the Graph simulator)', () => {
  test.each([
    ['a bot reply inside 24 h goes as a standard message', 'bot', 2 * 60 * 60_000, { sent: true, tagged: false }],
    ["a manager's reply after 24 h goes with the HUMAN_AGENT tag", 'manager', 3 * DAY, { sent: true, tagged: true }],
    ["a manager's reply just inside 7 days still goes, tagged", 'manager', 7 * DAY - 60_000, { sent: true, tagged: true }],
  ] as const)('%s', async (_name, author, ago, expected) => {
    const igsid = `igsid-${author}-${ago}`;
    ig.customerWrote(ACCOUNT, igsid, now - ago);
    const { store, calls } = storeWith({ to: igsid, authorKind: author });
    await deliverer(store, [], []).run(job, new AbortController().signal);
    expect(calls).toEqual(['sent']);
    expect(ig.sendsTo(igsid).map((s) => s.tagged)).toEqual([expected.tagged]);
    if (expected.tagged) expect(ig.sendsTo(igsid)[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test("after 7 days the manager's reply is not sent: recorded as failed with a plain reason, and the manager is told", async () => {
    const igsid = 'igsid-8-days';
    ig.customerWrote(ACCOUNT, igsid, now - 8 * DAY);
    const { store, calls } = storeWith({ to: igsid, authorKind: 'manager' });
    const outcomes: unknown[] = [];
    const traces: TraceEvent[] = [];
    await deliverer(store, outcomes, traces).run(job, new AbortController().signal); // ends the job: not retried
    expect(ig.sendsTo(igsid)).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^failed: 10 more than 7 days since the customer last wrote on Instagram/);
    expect(outcomes).toEqual([{ id: 1, authorKind: 'manager' }]); // the desk shows the failure under the manager's message
    expect(traces.map((t) => t.step)).toEqual(['reply.failed']);
  });

  test('a bot reply after 24 h is not tagged (the tag is for people) and fails as closed', async () => {
    const igsid = 'igsid-bot-late';
    ig.customerWrote(ACCOUNT, igsid, now - 2 * DAY);
    const { store, calls } = storeWith({ to: igsid, authorKind: 'bot' });
    await deliverer(store, [], []).run(job, new AbortController().signal);
    expect(ig.sendsTo(igsid)).toEqual([]);
    expect(calls[0]).toMatch(/^failed: 10 /);
  });

  test('a rate limit (613) is retried later; a revoked token flags the account and the job is dead', async () => {
    const igsid = 'igsid-limits';
    ig.customerWrote(ACCOUNT, igsid, now);
    ig.failNext({ status: 400, code: 613, message: 'Calls to this api have exceeded the rate limit.' });
    const first = storeWith({ to: igsid, authorKind: 'bot' });
    await expect(deliverer(first.store, [], []).run(job, new AbortController().signal)).rejects.toMatchObject({ reason: 'rate_limited', retryable: true });
    expect(first.calls).toEqual([]);
    ig.failNext({ status: 401, code: 190, message: 'Error validating access token' });
    const second = storeWith({ to: igsid, authorKind: 'bot' });
    await expect(deliverer(second.store, [], []).run(job, new AbortController().signal)).rejects.toThrow(/Instagram API error 190/);
    expect(second.calls[0]).toBe('token broken');
  });

  test('a long reply is split under 1,000 characters and nothing is lost', async () => {
    const igsid = 'igsid-long';
    ig.customerWrote(ACCOUNT, igsid, now);
    const body = Array.from({ length: 300 }, (_, i) => `слово${i}`).join(' ');
    const { store } = storeWith({ to: igsid, authorKind: 'bot', body });
    await deliverer(store, [], []).run(job, new AbortController().signal);
    const texts = ig.sendsTo(igsid).map((s) => (s.body.message as { text: string }).text);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(1000);
    expect(texts.join(' ')).toBe(body);
    expect(splitText('a'.repeat(2500))).toEqual(['a'.repeat(1000), 'a'.repeat(1000), 'a'.repeat(500)]);
  });
});
