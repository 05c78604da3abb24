import { createHmac } from 'node:crypto';

/**
 * JSON as Meta puts it on the wire: every non-ASCII UTF-16 code unit escaped as `\uXXXX` (lowercase hex), so
 * "Сәлем" travels as `\u0421\u04d9\u043b\u0435\u043c`. Receivers must verify these exact bytes, not a re-encoding.
 */
export function encodeLikeMeta(body: unknown): string {
  const json = JSON.stringify(body);
  if (json === undefined) throw new TypeError('encodeLikeMeta: body is not JSON-serialisable');
  // Without the `u` flag the regex walks code units, so an emoji becomes its two escaped surrogates, as Meta sends.
  return json.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `X-Hub-Signature-256` value for exactly these bytes: `sha256=<lowercase hex HMAC-SHA256>`. */
export function signWebhook(raw: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

/** A delivery ready to POST: the Meta-encoded body and the headers Meta sends with it. */
export function signedDelivery(body: unknown, appSecret: string): { body: string; headers: Record<string, string> } {
  const raw = encodeLikeMeta(body);
  return { body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, appSecret) } };
}
