import { describe, expect, test } from 'vitest';
import { WebhookPayloadError } from '../../../../src/channels/errors.js';
import { parseWhatsappWebhook, UNROUTED } from '../../../../src/channels/whatsapp/parse-webhook.js';
import type { InboundMessage } from '../../../../src/channels/types.js';
import {
  accountErrorNotification,
  buttonReplyMessage,
  contactsMessage,
  documentMessage,
  encodeLikeMeta,
  imageMessage,
  inboundNotification,
  listReplyMessage,
  locationMessage,
  mergeNotifications,
  quickReplyMessage,
  reactionMessage,
  statusNotification,
  stickerMessage,
  textMessage,
  unsupportedMessage,
  videoMessage,
  voiceMessage,
  type WaWireMessage,
  bothIdentitiesNotification,
  editMessage,
  identityChangedMessage,
  numberChangedMessage,
  orderMessage,
  revokeMessage,
  usernameNotification,
} from '../../../fakes/whatsapp.js';

const PHONE_ID = '106540352242922';
const CUSTOMER = '77011234567';
const TS = 1_760_000_000; // Unix seconds

/** Parses a one-message delivery exactly as it travels (Meta-encoded JSON, parsed back) and returns the message. */
function parseOne(message: WaWireMessage, name = 'Aigerim'): InboundMessage {
  const body = JSON.parse(encodeLikeMeta(inboundNotification({ phoneNumberId: PHONE_ID, messages: [message], contacts: [{ waId: CUSTOMER, name }] })));
  const batches = parseWhatsappWebhook(body);
  expect(batches).toHaveLength(1);
  expect(batches[0]!.accountExternalId).toBe(PHONE_ID);
  expect(batches[0]!.messages).toHaveLength(1);
  return batches[0]!.messages[0]!;
}

function parseError(body: unknown): string {
  try {
    parseWhatsappWebhook(body);
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookPayloadError);
    return (err as Error).message;
  }
  throw new Error('expected WebhookPayloadError');
}

describe('parseWhatsappWebhook: one message of each type', () => {
  test('text, with profile name, time in ms and the raw wire object', () => {
    const wire = textMessage({ from: CUSTOMER, body: 'Сәлем! Сколько стоит доставка?', id: 'wamid.TEXT1', timestamp: TS });
    expect(parseOne(wire, 'Әйгерім')).toEqual({
      providerMessageId: 'wamid.TEXT1', from: CUSTOMER, phone: CUSTOMER, userId: null, profileName: 'Әйгерім', sentAt: TS * 1000, kind: 'text',
      text: 'Сәлем! Сколько стоит доставка?', media: null, replyTo: null, forwarded: false, reaction: null, raw: wire,
    });
  });

  test('forwarded and frequently forwarded text', () => {
    expect(parseOne(textMessage({ from: CUSTOMER, body: 'fwd', forwarded: true })).forwarded).toBe(true);
    expect(parseOne(textMessage({ from: CUSTOMER, body: 'fwd', forwarded: 'frequently' })).forwarded).toBe(true);
  });

  test('text quoting one of our messages keeps the quoted id', () => {
    expect(parseOne(textMessage({ from: CUSTOMER, body: 'this one', replyTo: { id: 'wamid.OURS' } })).replyTo).toBe('wamid.OURS');
  });

  test('image with caption', () => {
    const m = parseOne(imageMessage({ from: CUSTOMER, mediaId: '1111', caption: 'фото товара', sha256: 'abc=' }));
    expect(m).toMatchObject({ kind: 'image', text: 'фото товара', media: { id: '1111', mimeType: 'image/jpeg', sha256: 'abc=' } });
  });

  test('image without caption reads as null text', () => {
    expect(parseOne(imageMessage({ from: CUSTOMER })).text).toBeNull();
  });

  test('video with caption', () => {
    expect(parseOne(videoMessage({ from: CUSTOMER, mediaId: '2222', caption: 'как это?' }))).toMatchObject({
      kind: 'video', text: 'как это?', media: { id: '2222', mimeType: 'video/mp4' },
    });
  });

  test('voice note: voice:true → voice', () => {
    expect(parseOne(voiceMessage({ from: CUSTOMER, mediaId: '3333' }))).toMatchObject({
      kind: 'voice', text: null, media: { id: '3333', mimeType: 'audio/ogg; codecs=opus' },
    });
  });

  test('ogg/opus without the voice flag is still a voice note; an mp3 file is audio', () => {
    expect(parseOne(voiceMessage({ from: CUSTOMER, voice: false })).kind).toBe('voice');
    expect(parseOne(voiceMessage({ from: CUSTOMER, voice: false, mimeType: 'audio/mpeg' })).kind).toBe('audio');
  });

  test('document with filename and caption', () => {
    expect(parseOne(documentMessage({ from: CUSTOMER, mediaId: '4444', filename: 'счёт.pdf', caption: 'оплатил' }))).toMatchObject({
      kind: 'document', text: 'оплатил', media: { id: '4444', mimeType: 'application/pdf', filename: 'счёт.pdf' },
    });
  });

  test('sticker', () => {
    expect(parseOne(stickerMessage({ from: CUSTOMER, mediaId: '5555', animated: true }))).toMatchObject({
      kind: 'sticker', text: null, media: { id: '5555', mimeType: 'image/webp' },
    });
  });

  test('location described in words with its values', () => {
    const m = parseOne(locationMessage({ from: CUSTOMER, latitude: 43.238949, longitude: 76.889709, name: 'Mega Alma-Ata', address: 'Розыбакиева 247' }));
    expect(m.kind).toBe('location');
    expect(m.text).toBe('📍 Location: Mega Alma-Ata, Розыбакиева 247 (43.238949, 76.889709)');
  });

  test('location without name or address', () => {
    expect(parseOne(locationMessage({ from: CUSTOMER, latitude: 51.1, longitude: 71.4 })).text).toBe('📍 Location: (51.1, 71.4)');
  });

  test('contact card with name and phones', () => {
    const m = parseOne(contactsMessage({ from: CUSTOMER, contacts: [{ formattedName: 'Ерлан Сапаров', phones: [{ phone: '+7 701 555 0101', waId: '77015550101' }, { phone: '+7 727 300 0000' }] }] }));
    expect(m.kind).toBe('contacts');
    expect(m.text).toBe('Contact card: Ерлан Сапаров +7 701 555 0101, +7 727 300 0000');
  });

  test('contact cards with missing fields do not fail', () => {
    const m = parseOne(contactsMessage({ from: CUSTOMER, raw: [{}, { name: { first_name: 'Dana' } }, { phones: [{ wa_id: '77010000000' }] }, { name: 42, phones: 'x' }] }));
    expect(m.text).toBe(
      ['Contact card: (no name) (no phone)', 'Contact card: Dana (no phone)', 'Contact card: (no name) +77010000000', 'Contact card: (no name) (no phone)'].join('\n'),
    );
  });

  test('button reply: title as text, id kept, context as replyTo', () => {
    expect(parseOne(buttonReplyMessage({ from: CUSTOMER, buttonId: 'handoff', title: 'Менеджер', contextId: 'wamid.BUTTONS' }))).toMatchObject({
      kind: 'button_reply', text: 'Менеджер', buttonId: 'handoff', replyTo: 'wamid.BUTTONS',
    });
  });

  test('list reply: title and description', () => {
    expect(parseOne(listReplyMessage({ from: CUSTOMER, rowId: 'slot-10', title: '10:00', description: 'завтра', contextId: 'wamid.LIST' }))).toMatchObject({
      kind: 'list_reply', text: '10:00 — завтра', buttonId: 'slot-10', replyTo: 'wamid.LIST',
    });
    expect(parseOne(listReplyMessage({ from: CUSTOMER, rowId: 'r', title: 'Только заголовок' })).text).toBe('Только заголовок');
  });

  test('template quick reply', () => {
    expect(parseOne(quickReplyMessage({ from: CUSTOMER, payload: 'CONFIRM_ORDER', text: 'Да, подтверждаю', contextId: 'wamid.TPL' }))).toMatchObject({
      kind: 'quick_reply', text: 'Да, подтверждаю', buttonId: 'CONFIRM_ORDER', replyTo: 'wamid.TPL',
    });
  });

  test('reaction, and a removed reaction', () => {
    expect(parseOne(reactionMessage({ from: CUSTOMER, messageId: 'wamid.OURS', emoji: '👍' }))).toMatchObject({
      kind: 'reaction', text: null, reaction: { messageId: 'wamid.OURS', emoji: '👍' },
    });
    expect(parseOne(reactionMessage({ from: CUSTOMER, messageId: 'wamid.OURS' })).reaction).toEqual({ messageId: 'wamid.OURS', emoji: null });
  });

  test('unsupported (e.g. an edit)', () => {
    expect(parseOne(unsupportedMessage({ from: CUSTOMER, id: 'wamid.U' }))).toMatchObject({ providerMessageId: 'wamid.U', kind: 'unsupported', text: null, media: null });
  });

  test('a type Meta adds later becomes unsupported instead of failing the delivery', () => {
    expect(parseOne(unsupportedMessage({ from: CUSTOMER, type: 'hologram' })).kind).toBe('unsupported');
    const flow = textMessage({ from: CUSTOMER, body: '' });
    delete flow.text;
    flow.type = 'interactive';
    flow.interactive = { type: 'nfm_reply', nfm_reply: { response_json: '{}' } };
    expect(parseOne(flow).kind).toBe('unsupported');
  });
});

describe('parseWhatsappWebhook: deliveries', () => {
  test('groups by phone_number_id across entries and changes, in first-seen order; ignores other fields', () => {
    const a1 = textMessage({ from: '77010000001', body: 'A1' });
    const b1 = textMessage({ from: '77020000002', body: 'B1' });
    const a2 = imageMessage({ from: '77010000003' });
    const body = mergeNotifications(
      inboundNotification({ phoneNumberId: 'PHONE_A', messages: [a1], contacts: [{ waId: '77010000001', name: 'Ali' }] }),
      inboundNotification({ phoneNumberId: 'PHONE_B', messages: [b1], contacts: [{ waId: '77020000002', name: 'Bota' }] }),
      inboundNotification({ phoneNumberId: 'PHONE_A', messages: [a2], contacts: [{ waId: '77010000003', name: 'Chingiz' }] }),
      statusNotification({ phoneNumberId: 'PHONE_B', statuses: [{ id: 'wamid.SENT_B', status: 'delivered', recipientId: '77020000002', timestamp: TS }] }),
    );
    body.entry[0]!.changes.push({ field: 'message_template_status_update', value: { event: 'APPROVED' } });
    const batches = parseWhatsappWebhook(JSON.parse(encodeLikeMeta(body)));
    expect(batches.map((b) => b.accountExternalId)).toEqual(['PHONE_A', 'PHONE_B']);
    expect(batches[0]!.messages.map((m) => [m.text, m.profileName])).toEqual([['A1', 'Ali'], [null, 'Chingiz']]);
    expect(batches[1]!.messages.map((m) => m.providerMessageId)).toEqual([b1.id]);
    expect(batches[1]!.statuses).toEqual([{ providerMessageId: 'wamid.SENT_B', status: 'delivered', at: TS * 1000, recipientId: '77020000002', error: null }]);
  });

  test('profileName matches the sender among several contacts; from differing from the only wa_id still gets it', () => {
    const body = inboundNotification({
      phoneNumberId: PHONE_ID,
      messages: [textMessage({ from: '222', body: 'x' }), textMessage({ from: '111', body: 'y' })],
      contacts: [{ waId: '111', name: 'One' }, { waId: '222', name: 'Two' }],
    });
    expect(parseWhatsappWebhook(body)[0]!.messages.map((m) => m.profileName)).toEqual(['Two', 'One']);
    const single = inboundNotification({ phoneNumberId: PHONE_ID, messages: [textMessage({ from: '87011234567', body: 'x' })], contacts: [{ waId: '77011234567', name: 'Only' }] });
    expect(parseWhatsappWebhook(single)[0]!.messages[0]!.profileName).toBe('Only');
    const nameless = inboundNotification({ phoneNumberId: PHONE_ID, messages: [textMessage({ from: '111', body: 'x' })] });
    expect(parseWhatsappWebhook(nameless)[0]!.messages[0]!.profileName).toBeNull();
  });

  test('statuses: every delivery state, failed with its error, unknown states skipped', () => {
    const body = statusNotification({
      phoneNumberId: PHONE_ID,
      statuses: [
        { id: 'wamid.1', status: 'read', recipientId: CUSTOMER, timestamp: TS + 2 },
        { id: 'wamid.1', status: 'sent', recipientId: CUSTOMER, timestamp: TS },
        { id: 'wamid.2', status: 'failed', recipientId: CUSTOMER, timestamp: TS, errors: [{ code: 131047, title: 'Re-engagement message', details: 'More than 24 hours have passed' }] },
        { id: 'wamid.3', status: 'failed', recipientId: CUSTOMER, timestamp: TS, errors: [{ code: 131026, title: 'Message undeliverable', message: 'Undeliverable' }] },
        { id: 'wamid.4', status: 'deleted', recipientId: CUSTOMER, timestamp: TS },
      ],
    });
    const [batch] = parseWhatsappWebhook(body);
    expect(batch!.messages).toEqual([]);
    expect(batch!.statuses).toEqual([
      { providerMessageId: 'wamid.1', status: 'read', at: (TS + 2) * 1000, recipientId: CUSTOMER, error: null },
      { providerMessageId: 'wamid.1', status: 'sent', at: TS * 1000, recipientId: CUSTOMER, error: null },
      { providerMessageId: 'wamid.2', status: 'failed', at: TS * 1000, recipientId: CUSTOMER, error: { code: 131047, title: 'Re-engagement message', detail: 'More than 24 hours have passed' } },
      { providerMessageId: 'wamid.3', status: 'failed', at: TS * 1000, recipientId: CUSTOMER, error: { code: 131026, title: 'Message undeliverable', detail: 'Undeliverable' } },
    ]);
  });

  test('account-level errors', () => {
    const body = accountErrorNotification({ phoneNumberId: PHONE_ID, errors: [{ code: 131042, title: 'Business eligibility payment issue' }] });
    expect(parseWhatsappWebhook(body)).toEqual([{ accountExternalId: PHONE_ID, messages: [], statuses: [], errors: [{ code: 131042, title: 'Business eligibility payment issue' }], rejected: [] }]);
  });

  test('a delivery with no messages changes yields no batches', () => {
    expect(parseWhatsappWebhook({ object: 'whatsapp_business_account', entry: [] })).toEqual([]);
  });
});

describe('parseWhatsappWebhook: malformed payloads', () => {
  const valid = () => JSON.parse(JSON.stringify(inboundNotification({ phoneNumberId: PHONE_ID, messages: [textMessage({ from: CUSTOMER, body: 'hi' })] })));

  test.each([
    ['not an object', 'hello', /^not a WhatsApp notification: body: /],
    ['null', null, /body: /],
    ['another object', { object: 'instagram', entry: [] }, /body\.object: .*whatsapp_business_account/],
    ['entry missing', { object: 'whatsapp_business_account' }, /body\.entry: /],
    ['entry not an array', { object: 'whatsapp_business_account', entry: {} }, /body\.entry: /],
    ['changes missing', { object: 'whatsapp_business_account', entry: [{ id: '1' }] }, /body\.entry\[0\]\.changes: /],
  ])('%s', (_name, body, expected) => {
    expect(parseError(body)).toMatch(expected);
  });

  /** The one batch of `body`, which must keep the delivery and list what it could not read. */
  const only = (body: unknown) => {
    const batches = parseWhatsappWebhook(body);
    expect(batches).toHaveLength(1);
    return batches[0]!;
  };

  test.each(['id', 'type'])('a message without %s is rejected by its path; the others in the delivery are kept', (field) => {
    const body = valid();
    body.entry[0].changes[0].value.messages.push(textMessage({ from: CUSTOMER, body: 'kept' }));
    delete body.entry[0].changes[0].value.messages[0][field];
    const batch = only(body);
    expect(batch.messages.map((m) => m.text)).toEqual(['kept']);
    expect(batch.rejected).toEqual([{ path: 'body.entry[0].changes[0].value.messages[0]', reason: expect.stringContaining(`body.entry[0].changes[0].value.messages[0].${field}: `), providerMessageId: field === 'id' ? null : expect.any(String) }]);
  });

  test('a message with no sender at all (no from, no from_user_id, no contact) is rejected by its path', () => {
    const body = valid();
    delete body.entry[0].changes[0].value.messages[0].from;
    delete body.entry[0].changes[0].value.contacts;
    expect(only(body).rejected[0]!.reason).toContain('messages[0].from: no sender');
  });

  test('a message without from is kept when its only contact names the sender', () => {
    const body = valid();
    delete body.entry[0].changes[0].value.messages[0].from;
    expect(only(body).messages[0]).toMatchObject({ from: CUSTOMER, phone: CUSTOMER, text: 'hi' });
  });

  test('a missing or unreadable timestamp keeps the message without a provider time', () => {
    const body = valid();
    body.entry[0].changes[0].value.messages[0].timestamp = '2025-10-09T10:00:00Z';
    expect(only(body).messages[0]).toMatchObject({ text: 'hi', sentAt: null });
  });

  test('a change without metadata.phone_number_id is rejected under the unrouted account, naming its path', () => {
    const body = valid();
    delete body.entry[0].changes[0].value.metadata.phone_number_id;
    const batch = only(body);
    expect(batch.accountExternalId).toBe(UNROUTED);
    expect(batch.rejected[0]!.reason).toContain('body.entry[0].changes[0].value.metadata.phone_number_id');
  });

  test('content Meta could not describe (a text without body, an image without id, interactive without its object) is kept as unsupported', () => {
    const noBody = valid();
    noBody.entry[0].changes[0].value.messages[0].text = {};
    expect(only(noBody).messages[0]!.kind).toBe('unsupported');
    const image = JSON.parse(JSON.stringify(inboundNotification({ phoneNumberId: PHONE_ID, messages: [imageMessage({ from: CUSTOMER })] })));
    delete image.entry[0].changes[0].value.messages[0].image.id;
    expect(only(image).messages[0]!.kind).toBe('unsupported');
    const interactive = valid();
    const message = interactive.entry[0].changes[0].value.messages[0];
    message.type = 'interactive';
    delete message.text;
    interactive.entry[0].changes[0].value.errors = [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'Unsupported webhook payload' } }];
    const batch = only(interactive);
    expect(batch.messages[0]!.kind).toBe('unsupported');
    expect(batch.errors).toEqual([{ code: 131000, title: 'Something went wrong' }]);
  });

  test('a message nested deeper than any real one is rejected without overflowing the stack', () => {
    const body = valid();
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep.x = {}) as Record<string, unknown>;
    body.entry[0].changes[0].value.messages[0].text.extra = root;
    body.entry[0].changes[0].value.messages.push(textMessage({ from: CUSTOMER, body: 'kept' }));
    const batch = only(body);
    expect(batch.messages.map((m) => m.text)).toEqual(['kept']);
    expect(batch.rejected[0]!.reason).toMatch(/nested deeper than 32 levels/);
  });

  test('a status without recipient_id or recipient_user_id is rejected by its path', () => {
    const body = JSON.parse(JSON.stringify(statusNotification({ phoneNumberId: PHONE_ID, statuses: [{ id: 'wamid.1', status: 'sent', recipientId: CUSTOMER }] })));
    delete body.entry[0].changes[0].value.statuses[0].recipient_id;
    expect(only(body).rejected[0]!.reason).toContain('value.statuses[0].recipient_id');
    body.entry[0].changes[0].value.statuses[0].recipient_user_id = 'KZ.1502576394655843';
    expect(only(body).statuses[0]!.recipientId).toBe('KZ.1502576394655843');
  });
});

describe('parseWhatsappWebhook: customers with a username, and the message types of the field', () => {
  const one = (body: unknown) => {
    const batches = parseWhatsappWebhook(JSON.parse(encodeLikeMeta(body)));
    expect(batches[0]!.rejected).toEqual([]);
    return batches[0]!.messages[0]!;
  };

  test('a username-only customer: no from, the BSUID is the address, the handle names them', () => {
    const m = one(usernameNotification({ phoneNumberId: PHONE_ID, userId: 'KZ.1502576394655843', username: '@aigerim', messages: [textMessage({ from: 'x', body: 'Сәлем' })] }));
    expect(m).toMatchObject({ from: 'KZ.1502576394655843', phone: null, userId: 'KZ.1502576394655843', profileName: '@aigerim', kind: 'text', text: 'Сәлем' });
  });

  test('both identities: the phone number is the address and the BSUID is kept', () => {
    const m = one(bothIdentitiesNotification({ phoneNumberId: PHONE_ID, userId: 'KZ.1502576394655843', waId: CUSTOMER, name: 'Aigerim', messages: [textMessage({ from: 'x', body: 'hi' })] }));
    expect(m).toMatchObject({ from: CUSTOMER, phone: CUSTOMER, userId: 'KZ.1502576394655843', profileName: 'Aigerim' });
  });

  test('a revoke names the deleted message and carries no text', () => {
    const m = one(inboundNotification({ phoneNumberId: PHONE_ID, messages: [revokeMessage({ from: CUSTOMER, originalId: 'wamid.GONE' })] }));
    expect(m).toMatchObject({ kind: 'revoke', target: 'wamid.GONE', text: null });
  });

  test('an edit carries the new text and the message it replaces', () => {
    const m = one(inboundNotification({ phoneNumberId: PHONE_ID, messages: [editMessage({ from: CUSTOMER, originalId: 'wamid.OLD', body: 'new text' })] }));
    expect(m).toMatchObject({ kind: 'edit', target: 'wamid.OLD', text: 'new text' });
  });

  test('an order is described line by line with quantities, prices and the note', () => {
    const m = one(inboundNotification({ phoneNumberId: PHONE_ID, messages: [orderMessage({ from: CUSTOMER, text: 'к 19:00', items: [{ sku: 'PLOV', quantity: 2, price: 3500, currency: 'KZT' }, { sku: 'TEA', quantity: 1, price: 500, currency: 'KZT' }] })] }));
    expect(m.kind).toBe('order');
    expect(m.text).toBe('🛒 Order from the catalog 354160437058781:\n- 2 × PLOV × 3500 KZT\n- 1 × TEA × 500 KZT\nNote: к 19:00');
  });

  test('system notices: a changed number names the new one; an identity change names nothing', () => {
    const changed = one(inboundNotification({ phoneNumberId: PHONE_ID, messages: [numberChangedMessage({ from: CUSTOMER, newWaId: '77019998877' })] }));
    expect(changed).toMatchObject({ kind: 'system', system: { type: 'user_changed_number', newPhone: '77019998877', newUserId: null } });
    const identity = one(inboundNotification({ phoneNumberId: PHONE_ID, messages: [identityChangedMessage({ from: CUSTOMER })] }));
    expect(identity).toMatchObject({ kind: 'system', system: { type: 'customer_identity_changed', newPhone: null } });
  });
});

