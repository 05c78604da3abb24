import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM encryption of tenant secrets at rest. A sealed value is `version | iv | tag | ciphertext`.
 * The associated data binds a ciphertext to where it belongs (e.g. `whatsapp_token:acme`), so a value copied
 * into another tenant's row does not decrypt there.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** Decrypts a sealed value; a wrong key or a tampered value throws a UserError, never returns garbage. */
  open(sealed: Buffer, context: string, describe = context): string {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
      throw new UserError(`the stored secret for ${describe} is not in a format botctl knows`, 'set it again with botctl tenant update');
    }
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw wrongKeyError(describe);
    }
  }
}

export function wrongKeyError(context: string): UserError {
  return new UserError(
    `BOTCTL_SECRET_KEY does not decrypt ${context}: it is not the key this database was written with`,
    'restore the original BOTCTL_SECRET_KEY in the env file (see botctl config show for which file is read)',
  );
}

export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}
