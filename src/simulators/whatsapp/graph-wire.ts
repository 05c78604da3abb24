import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Graph's error envelope: `{error:{message, type, code, error_data{details}, fbtrace_id}}`. */
export interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; error_data?: { messaging_product: 'whatsapp'; details: string }; fbtrace_id: string };
}

// Wording close to Meta's own, so logs and tests read like production ones.
const DEFAULTS: Record<number, { status: number; message: string; details?: string }> = {
  131047: { status: 400, message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131026: { status: 400, message: 'Message Undeliverable.', details: 'Message could not be delivered to the recipient.' },
  190: { status: 401, message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.' },
  100: { status: 400, message: '(#100) Invalid parameter' },
  130429: { status: 400, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  131056: { status: 400, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit', details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.' },
  4: { status: 400, message: '(#4) Application request limit reached' },
  80007: { status: 400, message: '(#80007) Rate limit issues' },
  131000: { status: 500, message: 'Something went wrong' },
  131016: { status: 503, message: 'Service unavailable' },
  2: { status: 503, message: 'Service temporarily unavailable' },
  131057: { status: 503, message: 'Account in maintenance mode' },
};

/** The HTTP status Meta uses with `code` (400 when unknown). */
export function statusForCode(code: number): number {
  return DEFAULTS[code]?.status ?? 400;
}

/** The code to put in an envelope when a script gives only an HTTP status. */
export function codeForStatus(status: number): number {
  if (status >= 500) return 131000;
  if (status === 401) return 190;
  if (status === 429) return 130429;
  return 100;
}

export function graphError(code: number, message?: string, details?: string): GraphErrorBody {
  const known = DEFAULTS[code];
  const detail = details ?? known?.details;
  return {
    error: {
      message: message ?? known?.message ?? `(#${code}) Simulated error`,
      type: 'OAuthException', // what Graph uses for nearly every WhatsApp error
      code,
      ...(detail !== undefined && { error_data: { messaging_product: 'whatsapp' as const, details: detail } }),
      fbtrace_id: randomBytes(12).toString('base64url'),
    },
  };
}

/** Meta's answer to an accepted send: accepted, not delivered. */
export function sendAccepted(to: string, wamid: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }], messages: [{ id: wamid }] };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
