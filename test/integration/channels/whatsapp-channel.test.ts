import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ChannelApiError, TransportError } from '../../../src/channels/errors.js';
import { GraphClient } from '../../../src/channels/whatsapp/graph-client.js';
import { WhatsappChannel } from '../../../src/channels/whatsapp/whatsapp-channel.js';
import type { ChannelCredentials, OutboundMessage } from '../../../src/channels/types.js';
import {
  inboundNotification,
  signedDelivery,
  startWhatsappGraphSimulator,
  textMessage,
  type WhatsappGraphSimulator,
} from '../../fakes/whatsapp.js';

const PHONE_ID = '106540352242922';
const TOKEN = 'EAAG-tenant-token-0123456789-SECRET';
const CUSTOMER = '77011234567';
const creds: ChannelCredentials = { externalId: PHONE_ID, accessToken: TOKEN };

let sim: WhatsappGraphSimulator;
let channel: WhatsappChannel;

beforeAll(async () => {
  sim = await startWhatsappGraphSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  sim.setToken(PHONE_ID, TOKEN);
  channel = new WhatsappChannel(new GraphClient({ baseUrl: sim.url, timeoutMs: 2_000 }));
});

/** Awaits a rejection and checks the token leaked nowhere a person or a log could read it. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => { throw new Error('expected a rejection'); },
    (e: unknown) => e as Error,
  );
  const cause = (err as { cause?: { message?: string } }).cause;
  const visible = [err.message, String(err), (err as { hint?: string }).hint ?? '', err.stack ?? '', cause?.message ?? '', JSON.stringify(err)];
  for (const text of visible) expect(text).not.toContain(TOKEN);
  return err;
}

describe('WhatsappChannel.send against the simulator', () => {
  test('text: exact Graph body with the bearer token; answers the wamid Meta returned', async () => {
    const { providerMessageId } = await channel.send(creds, { type: 'text', to: CUSTOMER, text: 'Сәлем! Доставка 1 500 ₸ 🚚', replyTo: 'wamid.IN1', previewUrl: false });
    expect(sim.sends).toHaveLength(1);
    expect(sim.sends[0]).toMatchObject({ phoneNumberId: PHONE_ID, token: TOKEN, wamid: providerMessageId });
    expect(providerMessageId).toMatch(/^wamid\./);
    expect(sim.sends[0]!.body).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, context: { message_id: 'wamid.IN1' },
      type: 'text', text: { body: 'Сәлем! Доставка 1 500 ₸ 🚚', preview_url: false },
    });
  });

  test('a customer known only by a business-scoped user id is addressed in `recipient`, not `to`', async () => {
    const bsuid = 'KZ.1502576394655843';
    await channel.send(creds, { type: 'text', to: bsuid, text: 'Сәлем!' });
    expect(sim.sends.at(-1)!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', recipient: bsuid, type: 'text', text: { body: 'Сәлем!' } });
    expect(sim.messagesTo(bsuid)).toHaveLength(1);
    // A phone number whose digits happen to match is someone else.
    expect(sim.messagesTo('1502576394655843')).toHaveLength(0);
  });

  test('buttons, template, image and document bodies', async () => {
    await channel.send(creds, { type: 'buttons', to: CUSTOMER, text: 'Чем помочь?', buttons: [{ id: 'price', title: 'Цены' }, { id: 'handoff', title: 'Менеджер' }] });
    await channel.send(creds, { type: 'template', to: CUSTOMER, name: 'order_update', language: 'ru', components: [{ type: 'body', parameters: [{ type: 'text', text: '№42' }] }] });
    await channel.send(creds, { type: 'image', to: CUSTOMER, mediaId: '998877', caption: 'Прайс' });
    await channel.send(creds, { type: 'document', to: CUSTOMER, link: 'https://example.com/price.pdf', filename: 'price.pdf', caption: 'PDF' });
    const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER };
    expect(sim.messagesTo(`+${CUSTOMER}`).map((s) => s.body)).toEqual([
      { ...base, type: 'interactive', interactive: { type: 'button', body: { text: 'Чем помочь?' }, action: { buttons: [
        { type: 'reply', reply: { id: 'price', title: 'Цены' } }, { type: 'reply', reply: { id: 'handoff', title: 'Менеджер' } },
      ] } } },
      { ...base, type: 'template', template: { name: 'order_update', language: { code: 'ru' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '№42' }] }] } },
      { ...base, type: 'image', image: { id: '998877', caption: 'Прайс' } },
      { ...base, type: 'document', document: { link: 'https://example.com/price.pdf', filename: 'price.pdf', caption: 'PDF' } },
    ]);
  });

  test.each<[string, OutboundMessage, RegExp]>([
    ['text over 4096 characters', { type: 'text', to: CUSTOMER, text: 'я'.repeat(4097) }, /4097 characters, WhatsApp allows 4096/],
    ['caption over 1024', { type: 'image', to: CUSTOMER, mediaId: '1', caption: 'x'.repeat(1025) }, /caption/],
    ['four buttons', { type: 'buttons', to: CUSTOMER, text: 'q', buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` })) }, /4 given/],
    ['a 21-character title', { type: 'buttons', to: CUSTOMER, text: 'q', buttons: [{ id: 'a', title: 'Очень длинная кнопка!' }] }, /button 1 title is 21/],
    ['image with neither id nor link', { type: 'image', to: CUSTOMER }, /mediaId or a link/],
  ])('%s is refused before any request, not truncated', async (_name, message, expected) => {
    const err = await rejection(channel.send(creds, message));
    expect(err).toBeInstanceOf(ChannelApiError);
    expect(err).toMatchObject({ reason: 'bad_request', retryable: false, httpStatus: 0 });
    expect(err.message).toMatch(expected);
    expect(sim.requests).toHaveLength(0);
  });

  test('the 4096-character text itself is sent whole', async () => {
    await channel.send(creds, { type: 'text', to: CUSTOMER, text: 'я'.repeat(4096) });
    expect((sim.sends[0]!.body.text as { body: string }).body).toHaveLength(4096);
  });
});

describe('markRead and media', () => {
  test('markRead with and without typing', async () => {
    await channel.markRead(creds, 'wamid.IN1', { typing: true });
    await channel.markRead(creds, 'wamid.IN2', { typing: false });
    expect(sim.reads.map(({ phoneNumberId, token, messageId, typing }) => ({ phoneNumberId, token, messageId, typing }))).toEqual([
      { phoneNumberId: PHONE_ID, token: TOKEN, messageId: 'wamid.IN1', typing: true },
      { phoneNumberId: PHONE_ID, token: TOKEN, messageId: 'wamid.IN2', typing: false },
    ]);
    expect(sim.requests.map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1', typing_indicator: { type: 'text' } },
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN2' },
    ]);
    expect(sim.sends).toHaveLength(0);
  });

  test('fetchMedia downloads the bytes; the download URL itself requires the bearer header', async () => {
    const voice = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0, 1, 2, 3, 255]);
    const mediaId = sim.addMedia(voice, 'audio/ogg; codecs=opus', { phoneNumberId: PHONE_ID });
    const media = await channel.fetchMedia(creds, mediaId);
    expect(media.mimeType).toBe('audio/ogg; codecs=opus');
    expect(media.bytes.equals(voice)).toBe(true);

    const info = (await (await fetch(`${sim.url}/${mediaId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { url: string; file_size: number };
    expect(info.file_size).toBe(voice.length);
    expect((await fetch(info.url)).status).toBe(401);
    expect((await fetch(info.url, { headers: { authorization: 'Bearer someone-else' } })).status).toBe(401);
    const withBearer = await fetch(info.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withBearer.status).toBe(200);
    expect(Buffer.from(await withBearer.arrayBuffer()).equals(voice)).toBe(true);
  });

  test('media over the size limit is refused with a clear error', async () => {
    const mediaId = sim.addMedia(Buffer.alloc(2048, 7), 'image/jpeg');
    const small = new WhatsappChannel(new GraphClient({ baseUrl: sim.url, maxMediaBytes: 1024 }));
    const err = await rejection(small.fetchMedia(creds, mediaId));
    expect(err).toMatchObject({ reason: 'bad_request', retryable: false });
    expect(err.message).toMatch(/larger than the .* MB limit/);
  });

  test('getPhoneNumber reads the fields botctl doctor shows', async () => {
    sim.setPhoneNumber(PHONE_ID, { displayPhoneNumber: '+7 727 000 00 00', verifiedName: 'Aru Flowers', qualityRating: 'YELLOW' });
    const info = await new GraphClient({ baseUrl: sim.url }).getPhoneNumber(PHONE_ID, TOKEN);
    expect(info).toEqual({ id: PHONE_ID, display_phone_number: '+7 727 000 00 00', verified_name: 'Aru Flowers', quality_rating: 'YELLOW' });
    expect(sim.requests[0]!.path).toBe(`/v21.0/${PHONE_ID}?fields=display_phone_number,verified_name,quality_rating`);
  });
});

describe('failures become ChannelApiError or TransportError', () => {
  const send = (text = 'hi') => channel.send(creds, { type: 'text', to: CUSTOMER, text });

  test('131047 → window_closed, not retryable, nothing recorded as sent', async () => {
    sim.failNext({ code: 131047 });
    const err = await rejection(send());
    expect(err).toBeInstanceOf(ChannelApiError);
    expect(err).toMatchObject({ code: 131047, reason: 'window_closed', retryable: false, httpStatus: 400 });
    expect(sim.sends).toHaveLength(0);
  });

  test('a closed window refuses free text but accepts a template', async () => {
    sim.closeWindow(CUSTOMER);
    expect(await rejection(send())).toMatchObject({ reason: 'window_closed' });
    await channel.send(creds, { type: 'template', to: CUSTOMER, name: 'follow_up', language: 'ru' });
    expect(sim.messagesTo(CUSTOMER).map((s) => s.body.type)).toEqual(['template']);
  });

  test('500 → transient, retryable', async () => {
    sim.failNext({ status: 500 });
    expect(await rejection(send())).toMatchObject({ reason: 'transient', retryable: true, httpStatus: 500, code: 131000 });
    await send(); // the script was for one call only
    expect(sim.sends).toHaveLength(1);
  });

  test('429 / 130429 with Retry-After → rate_limited with retryAfterMs; 131056 without it waits 6 s', async () => {
    sim.failNext({ status: 429, code: 130429, retryAfterSeconds: 7 });
    expect(await rejection(send())).toMatchObject({ reason: 'rate_limited', retryable: true, retryAfterMs: 7_000, code: 130429 });
    sim.failNext({ code: 131056 });
    expect(await rejection(send())).toMatchObject({ reason: 'rate_limited', retryable: true, retryAfterMs: 6_000 });
  });

  test('a wrong token → 190 token_invalid, with the fix in the hint', async () => {
    const err = await rejection(channel.send({ externalId: PHONE_ID, accessToken: 'EAAG-old-revoked-token' }, { type: 'text', to: CUSTOMER, text: 'hi' }));
    expect(err).toMatchObject({ code: 190, reason: 'token_invalid', retryable: false, httpStatus: 401 });
    expect((err as ChannelApiError).hint).toContain('botctl tenant update <slug> --whatsapp-token');
    expect(err.message).not.toContain('EAAG-old-revoked-token');
  });

  test('a hang → TransportError after the client timeout', async () => {
    sim.hangNext();
    const quick = new WhatsappChannel(new GraphClient({ baseUrl: sim.url, timeoutMs: 300 }));
    const started = Date.now();
    const err = await rejection(quick.send(creds, { type: 'text', to: CUSTOMER, text: 'hi' }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sim.sends).toHaveLength(0);
  });

  test("the caller's own abort rethrows its reason, not a TransportError", async () => {
    sim.hangNext();
    const controller = new AbortController();
    const reason = new Error('worker shutting down');
    setTimeout(() => controller.abort(reason), 100);
    expect(await rejection(channel.send(creds, { type: 'text', to: CUSTOMER, text: 'hi' }, controller.signal))).toBe(reason);
  });

  test('refused connection → TransportError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dead = new WhatsappChannel(new GraphClient({ baseUrl: `http://127.0.0.1:${port}/v21.0` }));
    const err = await rejection(dead.send(creds, { type: 'text', to: CUSTOMER, text: 'hi' }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toMatch(/ECONNREFUSED|fetch failed/);
  });

  test('a 2xx with broken JSON → TransportError; an HTML 502 → transient', async () => {
    sim.failNext({ status: 200, body: '{"messages": [' });
    expect(await rejection(send())).toBeInstanceOf(TransportError);
    sim.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    expect(await rejection(send())).toMatchObject({ reason: 'transient', retryable: true, code: null });
  });

  test('a Graph message that echoes the token is scrubbed', async () => {
    sim.failNext({ code: 100, message: `(#100) Bad token ${TOKEN} in request` });
    const err = await rejection(send());
    expect(err.message).toContain('(#100) Bad token [token] in request');
  });

  test('failNext.match picks which call fails', async () => {
    sim.failNext({ code: 131026, match: (req) => req.kind === 'send' && (req.body as { to?: string }).to === '77000000000' });
    await send();
    const err = await rejection(channel.send(creds, { type: 'text', to: '77000000000', text: 'hi' }));
    expect(err).toMatchObject({ reason: 'undeliverable', retryable: false });
    expect(sim.sends.map((s) => s.body.to)).toEqual([CUSTOMER]);
  });
});

describe('the simulator checks bodies the way Graph does', () => {
  test('a body the channel would have refused gets Graph error 100 from the simulator', async () => {
    const graph = new GraphClient({ baseUrl: sim.url });
    const buttons = [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } }));
    const body = { messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive', interactive: { type: 'button', body: { text: 'q' }, action: { buttons } } };
    const err = await rejection(graph.sendMessage(PHONE_ID, TOKEN, body));
    expect(err).toMatchObject({ code: 100, reason: 'bad_request', retryable: false });
    expect(err.message).toContain('1 to 3 buttons');
    const noProduct = await rejection(graph.sendMessage(PHONE_ID, TOKEN, { to: CUSTOMER, type: 'text', text: { body: 'hi' } }));
    expect(noProduct.message).toContain('messaging_product');
    expect(sim.sends).toHaveLength(0);
  });

  test('delayAll slows every answer past a client timeout', async () => {
    sim.delayAll(500);
    const quick = new GraphClient({ baseUrl: sim.url, timeoutMs: 150 });
    expect(await rejection(quick.markRead(PHONE_ID, TOKEN, 'wamid.X', false))).toBeInstanceOf(TransportError);
    sim.delayAll(0);
    await quick.markRead(PHONE_ID, TOKEN, 'wamid.Y', false);
    expect(sim.reads.map((r) => r.messageId)).toContain('wamid.Y');
  });
});

describe('receiving and rate counters', () => {
  test('a signed Meta-encoded delivery verifies and parses through the channel', () => {
    const delivery = signedDelivery(
      inboundNotification({ phoneNumberId: PHONE_ID, messages: [textMessage({ from: CUSTOMER, body: 'Қайырлы күн' })], contacts: [{ waId: CUSTOMER, name: 'Дана' }] }),
      'app-secret',
    );
    const raw = Buffer.from(delivery.body);
    expect(channel.verifySignature(raw, delivery.headers['x-hub-signature-256'], 'app-secret')).toBe(true);
    expect(channel.verifySignature(raw, delivery.headers['x-hub-signature-256'], 'other-secret')).toBe(false);
    const [batch] = channel.parse(JSON.parse(delivery.body));
    expect(batch!.messages[0]).toMatchObject({ text: 'Қайырлы күн', profileName: 'Дана', kind: 'text' });
  });

  test('rateBreaches counts pair bursts and per-number overload from recorded sends', async () => {
    for (let i = 0; i < 3; i++) await channel.send(creds, { type: 'text', to: CUSTOMER, text: `part ${i}` });
    await channel.send(creds, { type: 'text', to: '77020000000', text: 'other customer' });
    expect(sim.messagesTo(CUSTOMER)).toHaveLength(3);
    expect(sim.rateBreaches()).toEqual({ perNumber: 0, perPair: 2 }); // one per 6 s, no burst: parts 2 and 3 breach
    expect(sim.rateBreaches({ pairBurst: 3 })).toEqual({ perNumber: 0, perPair: 0 });
    expect(sim.rateBreaches({ perNumberPerSecond: 2, pairBurst: 3 })).toEqual({ perNumber: 2, perPair: 0 });
  });
});
