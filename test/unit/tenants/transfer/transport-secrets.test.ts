import { describe, expect, test } from 'vitest';
import { UserError } from '../../../../src/errors.js';
import { scrubText } from '../../../../src/observability/redact.js';
import { TransportBox } from '../../../../src/tenants/transfer/transport-secrets.js';

const PASSPHRASE = 'correct horse battery staple';
const TOKEN = 'EAAGtransporttoken0123456789abcdefgh';

describe('secrets sealed with the export passphrase', () => {
  const sender = TransportBox.create(PASSPHRASE, 'smile');
  const sealed = sender.seal(TOKEN, 'whatsapp.access_token');
  const check = sender.checkValue();

  test('open on the other side with the same passphrase, and are not the plaintext', () => {
    expect(sealed).not.toContain(TOKEN);
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain(TOKEN);
    const receiver = TransportBox.open(PASSPHRASE, sender.kdf, check, 'smile');
    expect(receiver.open(sealed, 'whatsapp.access_token')).toBe(TOKEN);
    expect(sender.kdf).toMatchObject({ name: 'scrypt', n: 32768, r: 8, p: 1 });
  });

  test('a wrong passphrase is refused on the header check, before any secret is tried', () => {
    expect(() => TransportBox.open('another passphrase entirely', sender.kdf, check, 'smile')).toThrow(/the passphrase does not open the secrets of this export file/);
  });

  test('a value moved to another field or another tenant, or edited, does not open', () => {
    const receiver = TransportBox.open(PASSPHRASE, sender.kdf, check, 'smile');
    expect(() => receiver.open(sealed, 'whatsapp.app_secret')).toThrow(UserError);
    const edited = Buffer.from(sealed, 'base64');
    edited[edited.length - 1]! ^= 1;
    expect(() => receiver.open(edited.toString('base64'), 'whatsapp.access_token')).toThrow(/does not open with this passphrase/);
    // The tenant is part of the associated data: the check value itself does not open for another slug.
    expect(() => TransportBox.open(PASSPHRASE, sender.kdf, check, 'bolt')).toThrow(/does not open the secrets/);
  });

  test('short passphrases and absurd key derivation settings are refused; the passphrase never reaches output', () => {
    expect(() => TransportBox.create('short', 'smile')).toThrow(/shorter than 12 characters/);
    expect(() => TransportBox.open(PASSPHRASE, { ...sender.kdf, n: 1 << 24 }, check, 'smile')).toThrow(/key derivation settings/);
    expect(() => TransportBox.open(PASSPHRASE, { ...sender.kdf, n: 1000 }, check, 'smile')).toThrow(/key derivation settings/);
    expect(scrubText(`passphrase was ${PASSPHRASE}`)).toBe('passphrase was [REDACTED]');
  });
});
