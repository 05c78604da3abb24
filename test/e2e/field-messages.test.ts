import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bothIdentitiesNotification, editMessage, identityChangedMessage, inboundNotification, numberChangedMessage, orderMessage, revokeMessage,
  stickerMessage, textMessage, usernameNotification, type WaWireMessage,
} from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { until } from '../helpers/until.js';

/*
 * The message shapes Meta's webhook reference describes beyond the basic types, from the project's own builders
 * (src/simulators/whatsapp/field-messages.ts), through the real worker: customers with a username and no number,
 * deletions, system notices, orders, edits, and a first-contact sticker.
 */

const SHOP = { slug: 'shop', name: 'Plov House', phoneNumberId: '7200072', token: 'EAAGshoptoken0123456789abcdefghijk', locale: 'en' };
let h: PipelineCell;
let n = 77030000000;
const nextCustomer = () => String(++n);
const deliver = (...messages: WaWireMessage[]) => h.deliver(inboundNotification({ phoneNumberId: SHOP.phoneNumberId, messages }));
const replies = (address: string) => h.graph.messagesTo(address).map((s) => (s.body.text as { body: string } | undefined)?.body ?? s.body.type);
const contacts = () => h.query<{ id: number; provider_id: string; phone: string | null; user_id: string | null; display_name: string | null }>('SELECT id, provider_id, phone, user_id, display_name FROM contacts ORDER BY id');
const inbound = (wamid: string) => h.query<{ type: string; body: string | null; outcome: string | null; payload: string; contact_id: number }>("SELECT type, body, outcome, payload, contact_id FROM messages WHERE provider_message_id = ? AND direction = 'inbound'", wamid)[0];

beforeAll(async () => {
  // What the answers below quote, so the guardrails let them through.
  const kb = join(mkdtempSync(join(tmpdir(), 'botctl-field-')), 'menu.md');
  writeFileSync(kb, '# Plov House\n\nWe are open every day until 22:00. Yes, we deliver across the city.\n\n## Menu\n\n- Plov: 3500 KZT\n- Lagman: 3000 KZT\n- Manty: 2500 KZT\n- Tea: 500 KZT\n- An order of 2 plov and 1 tea is 7 500 KZT.\n');
  h = await PipelineCell.start({ tenants: [{ ...SHOP, knowledge: [kb] }], debounceMs: 400 });
}, 60_000);
afterAll(async () => h?.close());

describe('messages from the field, on the real worker', () => {
  test('a customer with a username and no number is a contact by their user id, answered at it, and stays one contact when the number appears', async () => {
    const bsuid = 'KZ.1502576394655843';
    h.llm!.enqueue({ content: 'We are open until 22:00.' });
    const first = textMessage({ from: 'ignored', body: 'Until when are you open?' });
    expect(await h.deliver(usernameNotification({ phoneNumberId: SHOP.phoneNumberId, userId: bsuid, username: '@aigerim', messages: [first] }))).toBe(200);
    await until(() => replies(bsuid).length === 1, 10_000, 'the answer at the BSUID');
    const sent = h.graph.messagesTo(bsuid)[0]!.body;
    expect(sent).toMatchObject({ recipient: bsuid, text: { body: 'We are open until 22:00.' } });
    expect(sent.to).toBeUndefined();
    const [created] = contacts().filter((c) => c.user_id === bsuid);
    expect(created).toMatchObject({ provider_id: bsuid, phone: null, display_name: '@aigerim' });

    const phone = nextCustomer();
    h.llm!.enqueue({ content: 'Yes, we deliver.' });
    await h.deliver(bothIdentitiesNotification({ phoneNumberId: SHOP.phoneNumberId, userId: bsuid, waId: phone, name: 'Aigerim', messages: [textMessage({ from: phone, body: 'Do you deliver?' })] }));
    await until(() => replies(phone).length === 1, 10_000, 'the answer at the phone number');
    expect(contacts().filter((c) => c.user_id === bsuid || c.phone === phone)).toEqual([{ ...created, provider_id: phone, phone, display_name: 'Aigerim' }]);
    // The model saw the earlier exchange: one conversation, not two.
    const request = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('Do you deliver?'))!;
    expect(JSON.stringify(request.body.messages)).toContain('Until when are you open?');
  }, 30_000);

  test('a deleted message gets no reply; the deleted message is marked for the record', async () => {
    const from = nextCustomer();
    const original = textMessage({ from, body: 'Do you deliver?' });
    h.llm!.enqueue({ content: 'Yes, we deliver across the city.' });
    await deliver(original);
    await until(() => replies(from).length === 1, 10_000, 'the answer');
    const revoke = revokeMessage({ from, originalId: original.id });
    expect(await deliver(revoke)).toBe(200);
    // Ignored while the bot owns the conversation; relayed to the managers' thread while they do (no text to the customer either way).
    await until(() => ['ignored', 'relayed'].includes(inbound(revoke.id)?.outcome ?? ''), 5_000, 'the revoke handled');
    expect(JSON.parse(inbound(original.id)!.payload).deletedAt).toEqual(expect.any(Number));
    await new Promise((r) => setTimeout(r, 800));
    expect(replies(from)).toHaveLength(1);
  }, 20_000);

  test('a changed number moves the contact to the new number; an identity change is recorded; neither gets a reply', async () => {
    const from = nextCustomer();
    await deliver(stickerMessage({ from }));
    await until(() => replies(from).length === 1, 10_000, 'the greeting');
    const before = contacts().find((c) => c.provider_id === from)!;
    const newNumber = nextCustomer();
    const changed = numberChangedMessage({ from, newWaId: newNumber });
    const identity = identityChangedMessage({ from: newNumber });
    // Sent without a contacts array, as Meta sends system notices.
    expect(await h.deliver({ ...inboundNotification({ phoneNumberId: SHOP.phoneNumberId, messages: [changed, identity] }), entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: SHOP.phoneNumberId }, messages: [changed, identity] } }] }] })).toBe(200);
    await until(() => inbound(changed.id)?.outcome === 'ignored' && inbound(identity.id)?.outcome === 'ignored', 5_000, 'both notices recorded');
    expect(contacts().find((c) => c.id === before.id)).toMatchObject({ provider_id: newNumber, phone: newNumber });
    expect(inbound(identity.id)!.contact_id).toBe(before.id);
    h.llm!.enqueue({ content: 'Welcome back! How can I help?' });
    await deliver(textMessage({ from: newNumber, body: 'It is me again' }));
    await until(() => replies(newNumber).length === 1, 10_000, 'the answer at the new number');
    expect(replies(from)).toHaveLength(1);
    expect(contacts().filter((c) => c.provider_id === newNumber || c.provider_id === from)).toHaveLength(1);
  }, 30_000);

  test('an order is described to the model with its items, and answered', async () => {
    const from = nextCustomer();
    const order = orderMessage({ from, text: 'by 19:00 please', items: [{ sku: 'PLOV', quantity: 2, price: 3500, currency: 'KZT' }, { sku: 'TEA', quantity: 1, price: 500, currency: 'KZT' }] });
    await deliver(order);
    await until(() => replies(from).length === 1, 10_000, 'the answer');
    const request = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('PLOV'))!;
    const last = request.body.messages.at(-1) as { content: string };
    expect(last.content).toContain('- 2 × PLOV × 3500 KZT');
    expect(last.content).toContain('- 1 × TEA × 500 KZT');
    expect(last.content).toContain('Note: by 19:00 please');
    expect(inbound(order.id)).toMatchObject({ type: 'order', body: expect.stringContaining('🛒 Order from the catalog') });
    expect(['replied', 'escalated']).toContain(inbound(order.id)!.outcome);
  }, 20_000);

  test('an edit before the answer replaces the text the answer reads; an edit after it is answered as a new question', async () => {
    const from = nextCustomer();
    const original = textMessage({ from, body: 'How much is the plov?' });
    const edit = editMessage({ from, originalId: original.id, body: 'How much is the lagman?' });
    await deliver(original);
    await deliver(edit);
    await until(() => replies(from).length === 1, 10_000, 'the answer');
    const asked = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('lagman'))!;
    expect(JSON.stringify(asked.body.messages)).not.toContain('plov?');
    expect(inbound(original.id)).toMatchObject({ body: 'How much is the lagman?', outcome: 'replied' });
    expect(inbound(edit.id)!.outcome).toBe('ignored');

    await deliver(editMessage({ from, originalId: original.id, body: 'How much are the manty?' }));
    await until(() => replies(from).length === 2, 10_000, 'the second answer');
    const second = h.llm!.requests.find((r) => JSON.stringify(r.body.messages).includes('manty'))!;
    expect((second.body.messages.at(-1) as { content: string }).content).toContain('How much are the manty?');
    expect(inbound(original.id)!.body).toBe('How much are the manty?');
  }, 30_000);

  test('a first-contact sticker is greeted', async () => {
    const from = nextCustomer();
    await deliver(stickerMessage({ from }));
    await until(() => replies(from).length === 1, 10_000, 'the greeting');
    expect(replies(from)).toEqual(['Hello! This is Plov House. How can I help you? Please type your question.']);
  }, 20_000);
});

describe('a deletion before the answer', () => {
  test('a message deleted within the debounce window is never answered', async () => {
    const from = nextCustomer();
    const before = h.llm!.requests.length;
    const original = textMessage({ from, body: 'Sorry, wrong chat' });
    await deliver(original);
    await deliver(revokeMessage({ from, originalId: original.id }));
    await until(() => inbound(original.id)?.outcome === 'ignored', 5_000, 'the deleted message set aside');
    await new Promise((r) => setTimeout(r, 1200));
    expect(replies(from)).toEqual([]);
    expect(h.llm!.requests.length).toBe(before);
  }, 20_000);
});
