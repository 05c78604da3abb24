import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as receivers verify them (docs/integrations/webhooks.md). Like Stripe's: the header
 * `Botctl-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; during a secret rotation
 * one `v1` per valid secret. Signing the timestamp with the body lets a receiver refuse old (replayed) deliveries.
 */
export const SIGNATURE_HEADER = 'Botctl-Signature';
export const EVENT_ID_HEADER = 'Botctl-Event-Id';
export const EVENT_TYPE_HEADER = 'Botctl-Event-Type';
/** What receivers should accept between the signed time and their clock (seconds). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds) with every secret given (current first). */
export function signatureHeader(body: string, secrets: readonly string[], timestamp: number): string {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, body)}`)].join(',');
}

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'too_old' | 'mismatch' };

/**
 * A receiver's check (the reference implementation the docs show): the header parses, its timestamp is within
 * `toleranceSeconds` of `nowSeconds`, and one `v1` equals our HMAC of the raw body, compared in constant time.
 */
export function verifySignature(body: string, header: string | null | undefined, secret: string, options: { nowSeconds: number; toleranceSeconds?: number }): Verification {
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp = Number.NaN;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2) as [string, string | undefined];
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (!Number.isFinite(timestamp) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'too_old' };
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
