import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPeerFixtures, peerFixturesDir, rewriteForReplay, type ReplayedMessage } from '../helpers/peer-fixtures.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

/*
 * Conformance: every webhook body four open-source WhatsApp libraries test against, replayed signed through the
 * real worker (real Hono app on a real port, real SQLite file, the Graph and OpenAI simulators).
 */

const DIR = peerFixturesDir();
if (!DIR) console.warn('peer fixtures not found: set BOTCTL_PEER_FIXTURES to the folder ../shared/peer-fixtures/whatsapp (with its README.md); the conformance replay is skipped');

const TENANT = { slug: 'peers', name: 'Peer Shop', phoneNumberId: '7100071', token: 'EAAGpeerstoken0123456789abcdefghij' };
/** Kinds that say nothing that needs an answer: a reaction, a deletion, a system notice. */
const SILENT = new Set(['reaction', 'revoke', 'system']);

let h: PipelineCell;
const replayed: ReplayedMessage[] = [];
const statuses: number[] = [];

describe.skipIf(!DIR)('the peer corpus of WhatsApp webhooks, replayed through the real worker', () => {
  beforeAll(async () => {
    h = await PipelineCell.start({ tenants: [TENANT] });
    const fixtures = loadPeerFixtures(DIR!);
    expect(fixtures.length).toBeGreaterThanOrEqual(113);
    for (const [i, fixture] of fixtures.entries()) {
      const { body, messages } = rewriteForReplay(fixture, i, TENANT.phoneNumberId);
      replayed.push(...messages);
      statuses.push(await h.deliver(body));
      // Meta redelivers: the same body again must store nothing twice.
      statuses.push(await h.deliver(body));
    }
  }, 120_000);
  afterAll(async () => h?.close());

  test('every delivery gets 200 (the unreadable parts are recorded, not refused)', () => {
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  test('every real message is stored exactly once', () => {
    const rows = h.query<{ wamid: string; n: number }>("SELECT provider_message_id AS wamid, count(*) AS n FROM messages WHERE direction = 'inbound' GROUP BY provider_message_id");
    const stored = new Map(rows.map((r) => [r.wamid, r.n]));
    expect(replayed.length).toBeGreaterThan(60);
    expect(replayed.filter((m) => stored.get(m.wamid) !== 1).map((m) => `${m.fixture} ${m.wamid}`)).toEqual([]);
  });

  test('only the placeholder bodies Meta never sends leave a recorded rejection', () => {
    const rejected = h.query<{ path: string; reason: string }>('SELECT path, reason FROM webhook_rejections');
    // The status mock of whatsapp-api-js has no timestamp (README: synthetic); it is recorded once per delivery.
    expect(rejected.length).toBeLessThanOrEqual(4);
    for (const r of rejected) expect(r.reason).toMatch(/statuses\[0\]\.timestamp|location/);
  });

  test('every customer who wrote something that deserves an answer gets one; reactions, deletions and notices get none', async () => {
    const deserving = replayed.filter((m) => !SILENT.has(m.type));
    await until(() => deserving.every((m) => h.graph.messagesTo(m.address).length > 0), 60_000, 'a reply to every customer who wrote something').catch(() => undefined);
    expect(deserving.filter((m) => h.graph.messagesTo(m.address).length === 0).map((m) => `${m.fixture} (${m.type})`)).toEqual([]);
    const silent = replayed.filter((m) => SILENT.has(m.type) && !deserving.some((d) => d.address === m.address));
    expect(silent.length).toBeGreaterThan(5);
    expect(silent.filter((m) => h.graph.messagesTo(m.address).length > 0).map((m) => `${m.fixture} (${m.type})`)).toEqual([]);
  }, 70_000);

  test('a delivery mixing good and bad messages keeps the good ones and records the bad one', async () => {
    const fixture = loadPeerFixtures(DIR!).find((f) => f.name.includes('interactive_message_with_err'))!;
    const { body } = rewriteForReplay(fixture, 900, TENANT.phoneNumberId);
    const value = body.entry[0].changes[0].value;
    const sender = value.messages[0].from as string;
    value.messages.push(
      { from: sender, id: 'wamid.mixed.good', timestamp: '1700505495', type: 'text', text: { body: 'Do you deliver on Sundays?' } },
      { from: sender, timestamp: '1700505496', type: 'text', text: { body: 'a message without its id' } },
    );
    expect(await h.deliver(body)).toBe(200);
    const kept = h.query<{ type: string; body: string | null }>('SELECT type, body FROM messages WHERE provider_message_id IN (?, ?) ORDER BY id', value.messages[0].id, 'wamid.mixed.good');
    expect(kept).toEqual([{ type: 'unsupported', body: null }, { type: 'text', body: 'Do you deliver on Sundays?' }]);
    const rejection = h.query<{ path: string; reason: string; tenant_id: number }>("SELECT path, reason, tenant_id FROM webhook_rejections WHERE path LIKE '%messages[2]'");
    expect(rejection).toEqual([{ path: 'body.entry[0].changes[0].value.messages[2]', reason: expect.stringContaining('messages[2].id'), tenant_id: expect.any(Number) }]);
    await until(() => h.graph.messagesTo(sender).length > 0, 15_000, 'the answer to the good message');
  }, 30_000);
});
