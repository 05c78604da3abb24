import { afterEach, describe, expect, test } from 'vitest';
import { WebhookAdmin } from '../../../src/integrations/webhook-admin.js';
import { IntegrationCell } from '../../helpers/integration-cell.js';
import { WebhookReceiver } from '../../helpers/webhook-receiver.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let h: IntegrationCell;
let receiver: WebhookReceiver;

async function setUp(events = 'all') {
  h = new IntegrationCell();
  receiver = await new WebhookReceiver([], h.clock).start();
  const added = new WebhookAdmin(h.cell, h.clock).add(h.slug, { url: receiver.url, events });
  receiver.secrets = [added.secret];
  h.runner.start();
  return added;
}

afterEach(async () => {
  await h?.close();
  await receiver?.close();
});

const deliveries = () => h.db.prepare('SELECT id, state, attempts, last_status AS lastStatus FROM webhook_deliveries ORDER BY id').all() as { id: number; state: string; attempts: number; lastStatus: number | null }[];
const endpointStatus = () => (h.db.prepare('SELECT status FROM webhook_endpoints').get() as { status: string }).status;
/** The events as stored, in the order their causes committed. */
const storedEvents = () => h.db.prepare("SELECT contact_id AS contactId, json_extract(payload, '$.id') AS id FROM integration_events ORDER BY rowid").all() as { contactId: number; id: string }[];

describe('outbound webhooks: signed, durable, in order per contact', { timeout: 60_000 }, () => {
  test('every delivery verifies at a receiver that checks signatures as the docs say; a replayed or tampered one fails', async () => {
    await setUp();
    await h.customerSays('77010000001', 'Aigerim', 'Здравствуйте', 'Сколько стоит чистка?');
    await h.settle();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.accepted.map((r) => r.type)).toEqual(['conversation.started', 'message.created', 'message.created']);
    const message = receiver.accepted[2]!.body as { tenant: string; version: number; data: { contact: { phone: string; name: string }; message: { text: string; direction: string } } };
    expect(message).toMatchObject({ tenant: 'acme', version: 1, data: { contact: { phone: '77010000001', name: 'Aigerim' }, message: { text: 'Сколько стоит чистка?', direction: 'inbound' } } });
    expect(receiver.accepted[0]!.headers['botctl-event-id']).toBe(receiver.accepted[0]!.eventId);
    expect(deliveries().every((d) => d.state === 'delivered' && d.attempts === 1 && d.lastStatus === 204)).toBe(true);

    const captured = receiver.accepted[1]!;
    expect(await receiver.replay(captured)).toBe(200); // acknowledged, not applied
    expect(receiver.rejected.at(-1)!.reason).toBe('event id already accepted (replay)');
    expect(await receiver.replay(captured, { body: captured.raw.replace('Здравствуйте', 'Здравствуйте!') })).toBe(400);
    expect(receiver.rejected.at(-1)!.reason).toBe('no signature matches');
    receiver.seen.clear(); // even a receiver that forgot its ids refuses a capture older than its tolerance
    h.offsetMs += 10 * MINUTE;
    expect(await receiver.replay(captured)).toBe(400);
    expect(receiver.rejected.at(-1)!.reason).toBe('timestamp outside tolerance');
    expect(receiver.accepted).toHaveLength(3);
  });

  test('a new profile name is contact.updated; a disabled tenant\'s messages are stored but followed by nobody', async () => {
    await setUp('conversation.started,contact.updated');
    await h.customerSays('77010000009', 'Aigerim', 'one');
    await h.customerSays('77010000009', 'Aigerim', 'two'); // same name: nothing
    await h.customerSays('77010000009', 'Aigerim Sadykova', 'three');
    await h.settle();
    expect(receiver.accepted.map((r) => [r.type, (r.body.data as { contact: { name: string } }).contact.name])).toEqual([
      ['conversation.started', 'Aigerim'], ['contact.updated', 'Aigerim Sadykova'],
    ]);
    h.db.prepare("UPDATE tenants SET status = 'disabled'").run();
    await h.customerSays('77010000010', 'Bob', 'hello');
    await h.settle();
    expect(receiver.accepted).toHaveLength(2);
  });

  test('a receiver down for an hour gets everything afterwards, in order per contact, each event once', async () => {
    await setUp();
    receiver.down = 503;
    await h.customerSays('77010000001', 'Aigerim', 'a1', 'a2');
    await h.customerSays('77010000002', 'Bob', 'b1');
    await h.customerSays('77010000001', 'Aigerim', 'a3');
    await h.customerSays('77010000002', 'Bob', 'b2', 'b3');
    receiver.down = 'drop'; // half the hour it does not even answer
    await h.advance(30 * MINUTE, 2 * MINUTE);
    receiver.down = 503;
    await h.advance(30 * MINUTE, 2 * MINUTE);
    expect(receiver.attemptsWhileDown).toBeGreaterThan(4);
    expect(receiver.accepted).toEqual([]);
    expect(deliveries().every((d) => d.state === 'pending')).toBe(true);

    receiver.down = false;
    await h.advance(12 * HOUR, 5 * MINUTE, () => receiver.accepted.length === 8);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.accepted).toHaveLength(8); // two conversations started, six messages
    expect(new Set(receiver.accepted.map((r) => r.eventId)).size).toBe(8);
    const byContact = (rows: { contactId: number; id: string }[], contactId: number) => rows.filter((r) => r.contactId === contactId).map((r) => r.id);
    const got = receiver.accepted.map((r) => ({ contactId: (r.body.data as { contact: { id: number } }).contact.id, id: r.eventId }));
    for (const contactId of new Set(storedEvents().map((e) => e.contactId))) expect(byContact(got, contactId)).toEqual(byContact(storedEvents(), contactId));
    expect(deliveries().every((d) => d.state === 'delivered')).toBe(true);
    expect(endpointStatus()).toBe('ok');
  });

  test('after the last attempt the delivery is failed and the endpoint failing; redelivery sends it again and clears the mark', async () => {
    await setUp('conversation.started');
    receiver.down = 503;
    await h.customerSays('77010000003', 'Dana', 'hi', 'still there?'); // message.created is not subscribed
    await h.advance(3 * 24 * HOUR, 30 * MINUTE, () => deliveries()[0]!.state === 'failed');
    expect(deliveries()).toEqual([{ id: 1, state: 'failed', attempts: 16, lastStatus: 503 }]);
    expect(endpointStatus()).toBe('failing');
    expect(h.db.prepare("SELECT count(*) AS n FROM jobs WHERE state = 'dead'").get()).toEqual({ n: 0 }); // one alert (failing endpoint), not a dead job too

    receiver.down = false;
    const admin = new WebhookAdmin(h.cell, h.clock);
    expect(admin.deliveries(h.slug, { state: 'failed', limit: 10 }).map((d) => d.id)).toEqual([1]);
    admin.redeliver(1);
    await h.settle();
    expect(receiver.accepted.map((r) => r.type)).toEqual(['conversation.started']);
    expect(deliveries()[0]).toMatchObject({ state: 'delivered', lastStatus: 204 });
    expect(endpointStatus()).toBe('ok');
  });

  test('secret rotation: both secrets sign during the overlap, only the new one after it', async () => {
    const added = await setUp('message.created');
    const admin = new WebhookAdmin(h.cell, h.clock);
    const rotated = admin.rotateSecret(h.slug, added.endpoint.id, 1 * HOUR);
    expect(rotated.secret).not.toBe(added.secret);
    expect(rotated.endpoint.previousSecretUntil).not.toBeNull();
    await h.customerSays('77010000004', 'Erlan', 'one'); // receiver still knows only the old secret
    await h.settle();
    expect(receiver.accepted).toHaveLength(1);
    expect(String(receiver.accepted[0]!.headers['botctl-signature']).match(/v1=/g)).toHaveLength(2);

    h.offsetMs += 2 * HOUR;
    await h.customerSays('77010000004', 'Erlan', 'two');
    await h.settle();
    await h.advance(2 * MINUTE, 2 * MINUTE);
    expect(receiver.rejected.map((r) => r.reason)).toContain('no signature matches');
    receiver.secrets = [rotated.secret];
    await h.advance(6 * HOUR, 10 * MINUTE, () => receiver.accepted.length === 2);
    expect(receiver.accepted.map((r) => (r.body.data as { message: { text: string } }).message.text)).toEqual(['one', 'two']);
    expect(admin.list(h.slug)[0]!.previousSecretUntil).toBeNull();
  });
});
