import { describe, expect, test } from 'vitest';
import { verifyWhatsappSignature } from '../../../../src/channels/whatsapp/verify-signature.js';
import { encodeLikeMeta, inboundNotification, signWebhook, textMessage } from '../../../fakes/whatsapp.js';

const SECRET = 'app-secret-0123456789abcdef';
const bytes = (s: string) => new TextEncoder().encode(s);

const notification = inboundNotification({
  phoneNumberId: '106540352242922',
  messages: [textMessage({ from: '77011234567', body: 'Сәлеметсіз бе! Бағасы қанша? 👋' })],
  contacts: [{ waId: '77011234567', name: 'Әйгерім' }],
});

describe('verifyWhatsappSignature', () => {
  test('accepts the signature of exactly the bytes received', () => {
    const raw = encodeLikeMeta({ object: 'whatsapp_business_account', entry: [] });
    expect(verifyWhatsappSignature(bytes(raw), signWebhook(raw, SECRET), SECRET)).toBe(true);
  });

  test('refuses a body with one byte changed', () => {
    const raw = bytes(encodeLikeMeta(notification));
    const header = signWebhook(raw, SECRET);
    const tampered = Uint8Array.from(raw);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 0x01;
    expect(verifyWhatsappSignature(tampered, header, SECRET)).toBe(false);
    expect(verifyWhatsappSignature(raw, header, SECRET)).toBe(true);
  });

  test('refuses a signature made with another secret', () => {
    const raw = encodeLikeMeta(notification);
    expect(verifyWhatsappSignature(bytes(raw), signWebhook(raw, 'another-secret'), SECRET)).toBe(false);
  });

  test('Cyrillic body: the escaped bytes Meta signs verify, a JSON.stringify re-serialisation does not', () => {
    const raw = encodeLikeMeta(notification);
    // Meta's bytes are pure ASCII: Cyrillic and emoji travel as \uXXXX escapes.
    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    expect(raw).toContain('\\u0421\\u04d9\\u043b');
    expect(raw).toContain('\\ud83d\\udc4b');
    const header = signWebhook(raw, SECRET);
    expect(verifyWhatsappSignature(bytes(raw), header, SECRET)).toBe(true);

    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(JSON.parse(reserialised)).toEqual(JSON.parse(raw)); // same data…
    expect(reserialised).not.toBe(raw); // …other bytes
    expect(verifyWhatsappSignature(bytes(reserialised), header, SECRET)).toBe(false);
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['no prefix', signWebhook('{}', SECRET).slice('sha256='.length)],
    ['sha1 prefix', `sha1=${signWebhook('{}', SECRET).slice('sha256='.length)}`],
    ['too short', signWebhook('{}', SECRET).slice(0, -2)],
    ['too long', `${signWebhook('{}', SECRET)}00`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['two values', `${signWebhook('{}', SECRET)},${signWebhook('{}', SECRET)}`],
  ])('refuses a malformed header (%s)', (_name, header) => {
    expect(verifyWhatsappSignature(bytes('{}'), header, SECRET)).toBe(false);
  });

  test('refuses everything when the secret is empty, even a signature made with the empty key', () => {
    expect(verifyWhatsappSignature(bytes('{}'), signWebhook('{}', ''), '')).toBe(false);
  });

  test('accepts uppercase hex (the digest is the same)', () => {
    const header = signWebhook('{}', SECRET);
    expect(verifyWhatsappSignature(bytes('{}'), `sha256=${header.slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });
});
