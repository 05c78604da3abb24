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

/** One User Profile API call: which account's token asked for which customer. */
export interface InstagramProfileLookup {
  /** The account whose token was presented (null: no account has it). */
  accountId: string | null;
  token: string | null;
  igsid: string;
  fields: string[];
  at: number;
}

export interface InstagramGraphSimulator {
  url: string;
  sends: InstagramSend[];
  profileLookups: InstagramProfileLookup[];
  uploads: { accountId: string; filename: string; mimeType: string; bytes: Buffer; attachmentId: string }[];
  /** The account's token and username (a request with another token is refused with code 190). */
  setAccount(accountId: string, token: string, username?: string): void;
  /**
   * The profile of customer `igsid` as account `accountId` sees it (IGSIDs are scoped to one account). Served by
   * `GET /{v}/{igsid}` once the customer has written to the account (`customerWrote`: Instagram's consent rule).
   */
  setProfile(accountId: string, igsid: string, profile: { username: string; name?: string | null }): void;
  /** The customer wrote at `at` (Meta's clock): opens the 24-hour window and the 7-day human-agent allowance. */
  customerWrote(accountId: string, igsid: string, at?: number): void;
  /** Serves bytes as an Instagram CDN attachment and returns their URL. */
  hostMedia(bytes: Buffer, mimeType: string): string;
  /** The next `times` sends (default 1; profile lookups with `on: 'profile'`) fail with this status and Graph error code. */
  failNext(failure: { status: number; code: number; subcode?: number; message?: string; times?: number; on?: 'send' | 'profile' }): void;
  sendsTo(igsid: string): InstagramSend[];
  close(): Promise<void>;
}

/**
 * A fake of the Instagram messaging Graph API on 127.0.0.1 (PROTOCOLS.md §3): `POST /{v}/{ig_id}/messages`,
 * `POST /{v}/{ig_id}/message_attachments`, `GET /{v}/{ig_id}`, the User Profile API `GET /{v}/{igsid}?fields=…`, and
 * a CDN for inbound attachments. It enforces the windows as Instagram does: a send more than 24 h after the
 * customer's last message is refused (code 10, subcode 2534022) unless tagged HUMAN_AGENT, which is refused too after
 * 7 days; a text over 1,000 characters is refused. A profile is served to the token of the account the customer
 * wrote to; before they wrote: code 230 "User consent is required to access user profile"; an IGSID the account does
 * not know (or another account's): code 100, subcode 33. The token may come as a bearer header or `access_token`.
 */
export async function startInstagramGraphSimulator(options: { version?: string; clock?: () => number } = {}): Promise<InstagramGraphSimulator> {
  const version = options.version ?? 'v21.0';
  const clock = options.clock ?? Date.now;
  const sends: InstagramSend[] = [];
  const profileLookups: InstagramProfileLookup[] = [];
  const profiles = new Map<string, { username: string; name: string | null }>();
  const uploads: InstagramGraphSimulator['uploads'] = [];
  const accounts = new Map<string, { token: string; username: string }>();
  const lastWrote = new Map<string, number>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const failures: { status: number; code: number; subcode?: number; message?: string; left: number; on: 'send' | 'profile' }[] = [];
  let base = '';

  const error = (res: ServerResponse, status: number, code: number, message: string, subcode?: number, type = 'IGApiException') =>
    sendJson(res, status, { error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: `A${randomBytes(8).toString('hex')}` } });
  /** The first scripted failure for `on`, consumed. */
  const scripted = (on: 'send' | 'profile') => {
    const at = failures.findIndex((f) => f.on === on);
    const failure = failures[at];
    if (!failure) return null;
    if (--failure.left <= 0) failures.splice(at, 1);
    return failure;
  };

  function profile(res: ServerResponse, igsid: string, token: string | null, url: URL): void {
    const accountId = [...accounts].find(([, a]) => a.token === token)?.[0] ?? null;
    const fields = (url.searchParams.get('fields') ?? 'name').split(',').map((f) => f.trim()).filter(Boolean);
    profileLookups.push({ accountId, token, igsid, fields, at: clock() });
    if (accountId === null) return error(res, 401, 190, 'Invalid OAuth access token - Cannot parse access token', undefined, 'OAuthException');
    const failure = scripted('profile');
    if (failure) return error(res, failure.status, failure.code, failure.message ?? `scripted failure ${failure.code}`, failure.subcode);
    const person = profiles.get(`${accountId}:${igsid}`);
    if (!person) {
      return error(res, 400, 100, `Unsupported get request. Object with ID '${igsid}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, 33, 'GraphMethodException');
    }
    if (!lastWrote.has(`${accountId}:${igsid}`)) return error(res, 400, 230, 'User consent is required to access user profile', undefined, 'OAuthException');
    const known: Record<string, unknown> = { id: igsid, name: person.name, username: person.username, profile_pic: null };
    return sendJson(res, 200, Object.fromEntries([['id', igsid], ...fields.filter((f) => f in known).map((f) => [f, known[f]])]));
  }

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
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token');
    const account = accounts.get(accountId);
    if (!account && req.method === 'GET' && parts.length === 2) return profile(res, accountId, token, url);
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
    const failure = scripted('send');
    if (failure) return error(res, failure.status, failure.code, failure.message ?? `scripted failure ${failure.code}`, failure.subcode);
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
    profileLookups,
    uploads,
    setAccount: (accountId, token, username = `biz_${accountId.slice(-4)}`) => void accounts.set(accountId, { token, username }),
    setProfile: (accountId, igsid, person) => void profiles.set(`${accountId}:${igsid}`, { username: person.username, name: person.name ?? null }),
    customerWrote: (accountId, igsid, at = clock()) => void lastWrote.set(`${accountId}:${igsid}`, at),
    hostMedia: (bytes, mimeType) => {
      const id = randomBytes(8).toString('hex');
      media.set(id, { bytes, mimeType });
      return `${base}/cdn/${id}`;
    },
    failNext: (f) => void failures.push({ ...f, left: f.times ?? 1, on: f.on ?? 'send' }),
    sendsTo: (igsid) => sends.filter((s) => s.recipient === igsid),
    close: () => closeServer(server),
  };
}
