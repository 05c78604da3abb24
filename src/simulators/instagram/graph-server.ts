import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, sendJson } from '../local-http/http.js';
import { parseMultipart } from '../local-http/multipart.js';
import { newMid } from './webhook-builders.js';

const DAY = 24 * 60 * 60_000;

export interface InstagramSend {
  accountId: string;
  token: string | null;
  recipient: string;
  body: Record<string, unknown>;
  mid: string;
  tagged: boolean;
  at: number;
}

export interface InstagramGraphSimulator {
  url: string;
  sends: InstagramSend[];
  uploads: { accountId: string; filename: string; mimeType: string; bytes: Buffer; attachmentId: string }[];
  /** The account's token and username (a request with another token is refused with code 190). */
  setAccount(accountId: string, token: string, username?: string): void;
  /** The customer wrote at `at` (Meta's clock): opens the 24-hour window and the 7-day human-agent allowance. */
  customerWrote(accountId: string, igsid: string, at?: number): void;
  /** Serves bytes as an Instagram CDN attachment and returns their URL. */
  hostMedia(bytes: Buffer, mimeType: string): string;
  /** The next `times` sends (default 1) fail with this status and Graph error code. */
  failNext(failure: { status: number; code: number; subcode?: number; message?: string; times?: number }): void;
  sendsTo(igsid: string): InstagramSend[];
  close(): Promise<void>;
}

/**
 * A fake of the Instagram messaging Graph API on 127.0.0.1 (PROTOCOLS.md §3): `POST /{v}/{ig_id}/messages`,
 * `POST /{v}/{ig_id}/message_attachments`, `GET /{v}/{ig_id}`, and a CDN for inbound attachments. It enforces the
 * windows as Instagram does: a send more than 24 h after the customer's last message is refused (code 10, subcode
 * 2534022) unless tagged HUMAN_AGENT, which is refused too after 7 days; a text over 1,000 characters is refused.
 */
export async function startInstagramGraphSimulator(options: { version?: string; clock?: () => number } = {}): Promise<InstagramGraphSimulator> {
  const version = options.version ?? 'v21.0';
  const clock = options.clock ?? Date.now;
  const sends: InstagramSend[] = [];
  const uploads: InstagramGraphSimulator['uploads'] = [];
  const accounts = new Map<string, { token: string; username: string }>();
  const lastWrote = new Map<string, number>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const failures: { status: number; code: number; subcode?: number; message?: string; left: number }[] = [];
  let base = '';

  const error = (res: ServerResponse, status: number, code: number, message: string, subcode?: number) =>
    sendJson(res, status, { error: { message, type: 'IGApiException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: `A${randomBytes(8).toString('hex')}` } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req, 30 * 1024 * 1024);
    const url = new URL(req.url ?? '/', base);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && parts[0] === 'cdn') {
      const file = media.get(parts[1] ?? '');
      if (!file) return error(res, 404, 100, 'media not found');
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.byteLength });
      res.end(file.bytes);
      return;
    }
    if (parts[0] !== version || !parts[1]) return error(res, 400, 2500, `Unknown path components: ${url.pathname}`);
    const accountId = parts[1];
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const account = accounts.get(accountId);
    if (!account) return error(res, 400, 100, `Unsupported request. Object with ID '${accountId}' does not exist`);
    if (token !== account.token) return error(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
    if (req.method === 'GET' && parts.length === 2) return sendJson(res, 200, { id: accountId, username: account.username });
    if (req.method === 'POST' && parts[2] === 'message_attachments') {
      const file = parseMultipart(bytes, req.headers['content-type'] ?? '').find((p) => p.name === 'filedata');
      if (!file) return error(res, 400, 100, '(#100) filedata is required');
      const attachmentId = String(1_000_000 + uploads.length);
      uploads.push({ accountId, filename: file.filename ?? 'file', mimeType: file.contentType ?? 'application/octet-stream', bytes: file.data, attachmentId });
      return sendJson(res, 200, { attachment_id: attachmentId });
    }
    if (req.method !== 'POST' || parts[2] !== 'messages') return error(res, 400, 2500, `Unknown path components: ${url.pathname}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      return error(res, 400, 100, '(#100) The request body is not valid JSON');
    }
    const failure = failures[0];
    if (failure) {
      if (--failure.left <= 0) failures.shift();
      return error(res, failure.status, failure.code, failure.message ?? `scripted failure ${failure.code}`, failure.subcode);
    }
    const recipient = (body.recipient as { id?: unknown } | undefined)?.id;
    if (typeof recipient !== 'string' || recipient === '') return error(res, 400, 100, '(#100) param recipient[id] must be non-empty');
    const message = body.message as { text?: unknown; attachment?: { type?: unknown; payload?: Record<string, unknown> } } | undefined;
    if (!message || (typeof message.text !== 'string' && !message.attachment)) return error(res, 400, 100, '(#100) param message must have text or attachment');
    if (typeof message.text === 'string' && message.text.length > 1000) return error(res, 400, 100, '(#100) Length of param message[text] must be less than or equal to 1000');
    const tagged = body.messaging_type === 'MESSAGE_TAG' && body.tag === 'HUMAN_AGENT';
    const since = clock() - (lastWrote.get(`${accountId}:${recipient}`) ?? -Infinity);
    if (since > (tagged ? 7 * DAY : DAY)) return error(res, 400, 10, 'This message is sent outside of allowed window.', 2534022);
    const mid = newMid();
    sends.push({ accountId, token, recipient, body, mid, tagged, at: clock() });
    return sendJson(res, 200, { recipient_id: recipient, message_id: mid });
  }

  const { server, port } = await listenLocal(handle);
  base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/${version}`,
    sends,
    uploads,
    setAccount: (accountId, token, username = `biz_${accountId.slice(-4)}`) => void accounts.set(accountId, { token, username }),
    customerWrote: (accountId, igsid, at = clock()) => void lastWrote.set(`${accountId}:${igsid}`, at),
    hostMedia: (bytes, mimeType) => {
      const id = randomBytes(8).toString('hex');
      media.set(id, { bytes, mimeType });
      return `${base}/cdn/${id}`;
    },
    failNext: (f) => void failures.push({ ...f, left: f.times ?? 1 }),
    sendsTo: (igsid) => sends.filter((s) => s.recipient === igsid),
    close: () => closeServer(server),
  };
}
