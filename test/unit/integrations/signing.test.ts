import { describe, expect, test } from 'vitest';
import { generateEndpointSecret, signatureHeader, verifySignature } from '../../../src/integrations/signing.js';

const body = JSON.stringify({ id: 'evt_1', type: 'message.created', data: { text: 'Сәлем' } });
const secret = generateEndpointSecret();
const t = 1_780_000_000;

describe('webhook signatures', () => {
  test.each([
    ['the signed body at the signed time', body, signatureHeader(body, [secret], t), t, { ok: true, timestamp: t }],
    ['within the 5-minute tolerance', body, signatureHeader(body, [secret], t), t + 299, { ok: true, timestamp: t }],
    ['a replay after the tolerance', body, signatureHeader(body, [secret], t), t + 301, { ok: false, reason: 'too_old' }],
    ['a body changed by one byte', body.replace('Сәлем', 'Салем'), signatureHeader(body, [secret], t), t, { ok: false, reason: 'mismatch' }],
    ['a timestamp changed to look fresh', body, signatureHeader(body, [secret], t).replace(`t=${t}`, `t=${t + 600}`), t + 600, { ok: false, reason: 'mismatch' }],
    ['another secret', body, signatureHeader(body, [generateEndpointSecret()], t), t, { ok: false, reason: 'mismatch' }],
    ['during a rotation: old and new both verify', body, signatureHeader(body, [generateEndpointSecret(), secret], t), t, { ok: true, timestamp: t }],
    ['no header', body, '', t, { ok: false, reason: 'malformed' }],
    ['garbage', body, 't=abc,v1=zz', t, { ok: false, reason: 'malformed' }],
  ])('%s', (_, received, header, now, expected) => {
    expect(verifySignature(received, header, secret, { nowSeconds: now })).toEqual(expected);
  });

  test('secrets are 32 random bytes with a recognisable prefix', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateEndpointSecret()).not.toBe(secret);
  });
});
