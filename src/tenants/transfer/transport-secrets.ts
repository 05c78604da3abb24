import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { UserError } from '../../errors.js';
import { registerSecret, registerTenantSecret } from '../../observability/redact.js';
import type { KdfParams } from './format.js';

/** Short passphrases fall to an offline guess against a stolen file; scrypt slows guessing, length stops it. */
export const MIN_PASSPHRASE_CHARS = 12;
// scrypt N=2^15, r=8: ~32 MiB and ~0.1 s per try, the interactive setting recommended by its author.
const DEFAULT_KDF = { n: 1 << 15, r: 8, p: 1 } as const;
const MAX_N = 1 << 20;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_TEXT = 'botctl tenant export passphrase check';

/**
 * Seals the secrets inside an export file with a key derived from the operator's passphrase (scrypt, then
 * AES-256-GCM). The associated data names the tenant and the field, so a sealed value moved to another field or
 * another tenant's file does not open. The cells' own keys never leave their machines.
 */
export class TransportBox {
  readonly #key: Buffer;

  private constructor(key: Buffer, readonly kdf: KdfParams, private readonly slug: string) {
    this.#key = key;
  }

  /** A new box for an export: fresh salt. */
  static create(passphrase: string, slug: string): TransportBox {
    assertPassphrase(passphrase);
    const kdf: KdfParams = { name: 'scrypt', ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    return new TransportBox(derive(passphrase, kdf), kdf, slug);
  }

  /** The box of an existing file; a wrong passphrase fails here, on the header's check value, before any row is read. */
  static open(passphrase: string, kdf: KdfParams, check: string, slug: string): TransportBox {
    if (kdf.name !== 'scrypt' || !Number.isSafeInteger(kdf.n) || kdf.n < 2 || kdf.n > MAX_N || (kdf.n & (kdf.n - 1)) !== 0
      || !Number.isSafeInteger(kdf.r) || kdf.r < 1 || kdf.r > 32 || !Number.isSafeInteger(kdf.p) || kdf.p < 1 || kdf.p > 16) {
      throw new UserError('the header of the export file has key derivation settings botctl does not accept', 'export the tenant again with this version of botctl');
    }
    registerSecret(passphrase);
    const box = new TransportBox(derive(passphrase, kdf), kdf, slug);
    if (box.openValue(check, 'check') !== CHECK_TEXT) throw wrongPassphrase();
    return box;
  }

  /** The value the header carries to tell a right passphrase from a wrong one. */
  checkValue(): string {
    return this.seal(CHECK_TEXT, 'check');
  }

  seal(plaintext: string, field: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(this.aad(field));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Opens a sealed field; a value that does not open (edited, or moved from another field) is refused. */
  open(sealed: string, field: string): string {
    const value = this.openValue(sealed, field);
    if (value === null) throw new UserError(`the sealed ${field} in the export file does not open with this passphrase`, 'the file was changed after export; export the tenant again');
    registerTenantSecret(value);
    return value;
  }

  private openValue(sealed: string, field: string): string | null {
    const bytes = Buffer.from(sealed, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(this.aad(field));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  private aad(field: string): Buffer {
    return Buffer.from(`botctl-tenant-export:${this.slug}:${field}`, 'utf8');
  }
}

export function assertPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_CHARS) {
    throw new UserError(`the export passphrase is shorter than ${MIN_PASSPHRASE_CHARS} characters`, 'use a longer one, e.g. four random words (openssl rand -base64 18 makes one)');
  }
  registerSecret(passphrase);
}

function derive(passphrase: string, kdf: KdfParams): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.n, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.n * kdf.r + (1 << 20) });
}

function wrongPassphrase(): UserError {
  return new UserError('the passphrase does not open the secrets of this export file', 'give the passphrase the file was exported with (--passphrase-file or BOTCTL_TRANSFER_PASSPHRASE)');
}
