import { createHmac, timingSafeEqual } from 'node:crypto';

// Meta sends lowercase hex; hex decoding is case-insensitive, so uppercase is accepted too.
const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * True when `header` (`X-Hub-Signature-256`) is `sha256=<hex HMAC-SHA256 of rawBody keyed by secret>`.
 * Must be given the bytes exactly as received: Meta escapes non-ASCII as `\uXXXX` before signing, so
 * re-serialised JSON never matches. Missing or malformed headers, and an empty secret, are false.
 */
export function verifyWhatsappSignature(rawBody: Uint8Array, header: string | undefined, secret: string): boolean {
  // An empty key would let anyone compute a valid signature; treat it as "not configured".
  if (typeof header !== 'string' || secret.length === 0) return false;
  const match = SIGNATURE_HEADER.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // timingSafeEqual throws on unequal lengths; the regex already fixes 32 bytes, the check keeps it obvious.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
