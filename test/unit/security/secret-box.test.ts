import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { generateSecretKey, SecretBox } from '../../../src/security/secret-box.js';

const CONTEXT = 'tenant:acme:whatsapp.access_token';
const TOKEN = 'EAAGm0PX4ZCpsBAKZBZCtokenvalue1234567890abcdef';

/** Runs fn and returns the UserError it throws; fails when it returns a value (which would be garbage). */
function refusal(fn: () => string): UserError {
  let value: string | undefined;
  try {
    value = fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error(`open() returned ${JSON.stringify(value)} instead of refusing`);
}

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  test.each([
    ['an access token', TOKEN],
    ['Cyrillic and emoji', 'Секретный токен «Улыбка» — 🦷 ключ'],
    ['an empty string', ''],
    ['a long value', 'x'.repeat(10_000)],
  ])('round trip of %s', (_, plaintext) => {
    const sealed = box.seal(plaintext, CONTEXT);
    expect(box.open(sealed, CONTEXT)).toBe(plaintext);
  });

  test('the plaintext is absent from the sealed bytes (as UTF-8, UTF-16 and base64)', () => {
    for (const plaintext of [TOKEN, 'Секретный токен клиники']) {
      const sealed = box.seal(plaintext, CONTEXT);
      expect(sealed.includes(Buffer.from(plaintext, 'utf8'))).toBe(false);
      expect(sealed.includes(Buffer.from(plaintext, 'utf16le'))).toBe(false);
      expect(sealed.toString('base64')).not.toContain(Buffer.from(plaintext).toString('base64').slice(4, 24));
      expect(sealed.toString('latin1')).not.toContain(plaintext.slice(0, 8));
    }
  });

  test('sealing the same value twice gives different bytes (fresh IV), both open', () => {
    const a = box.seal(TOKEN, CONTEXT);
    const b = box.seal(TOKEN, CONTEXT);
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength(TOKEN));
    expect(a[0]).toBe(1);
    expect(box.open(a, CONTEXT)).toBe(TOKEN);
    expect(box.open(b, CONTEXT)).toBe(TOKEN);
  });

  test('a wrong key is a UserError naming BOTCTL_SECRET_KEY and the fix, never garbage', () => {
    const sealed = box.seal(TOKEN, CONTEXT);
    const other = new SecretBox(randomBytes(32));
    const err = refusal(() => other.open(sealed, CONTEXT, 'the WhatsApp token of tenant acme'));
    expect(err.message).toContain('BOTCTL_SECRET_KEY');
    expect(err.message).toContain('the WhatsApp token of tenant acme');
    expect(err.toString()).toContain('restore the original BOTCTL_SECRET_KEY');
    expect(err.toString()).not.toContain(TOKEN);
  });

  test('a ciphertext moved to another context (another tenant or field) does not open', () => {
    const sealed = box.seal(TOKEN, CONTEXT);
    refusal(() => box.open(sealed, 'tenant:other:whatsapp.access_token'));
    refusal(() => box.open(sealed, 'tenant:acme:whatsapp.app_secret'));
    expect(box.open(sealed, CONTEXT)).toBe(TOKEN);
  });

  test('flipping any single byte of iv, tag or ciphertext is refused', () => {
    const sealed = box.seal(TOKEN, CONTEXT);
    for (let i = 1; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      refusal(() => box.open(tampered, CONTEXT));
    }
  });

  test('a truncated value, an unknown version byte or an empty buffer says the format is unknown', () => {
    const sealed = box.seal(TOKEN, CONTEXT);
    const wrongVersion = Buffer.from(sealed);
    wrongVersion[0] = 2;
    for (const bad of [Buffer.alloc(0), sealed.subarray(0, 20), wrongVersion]) {
      const err = refusal(() => box.open(bad, CONTEXT, 'the WhatsApp token of tenant acme'));
      expect(err.message).toBe('the stored secret for the WhatsApp token of tenant acme is not in a format botctl knows');
      expect(err.hint).toContain('botctl tenant update');
    }
    const cut = refusal(() => box.open(sealed.subarray(0, sealed.length - 3), CONTEXT));
    expect(cut.message).toContain('BOTCTL_SECRET_KEY');
  });

  test('the key must be 32 bytes; generateSecretKey makes a base64 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32-byte key');
    const key = generateSecretKey();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(generateSecretKey()).not.toBe(key);
    const fromGenerated = new SecretBox(Buffer.from(key, 'base64'));
    expect(fromGenerated.open(fromGenerated.seal(TOKEN, CONTEXT), CONTEXT)).toBe(TOKEN);
  });
});
