import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart, type MultipartPart } from '../local-http/multipart.js';
import { readBody as readRawBody } from '../local-http/http.js';
import { codeForStatus, graphError, json, sendAccepted, statusForCode } from './graph-wire.js';
import { countRateBreaches, type RateLimits } from './rate-breaches.js';
import type { FailureScript, RecordedRead, RecordedSend, RecordedUpload, SimRequest, WhatsappGraphSimulator } from './graph-types.js';
import { sendProblem } from './validate-send.js';
import { newMediaId, newWamid } from './webhook-builders.js';

interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  phoneNumberId: string | null;
  hash: string;
}

const digits = (s: string) => s.replace(/\D/g, '');
/** A send's address as the simulator files it: a BSUID as given, a phone number by its digits. */
const addressKey = (body: Record<string, unknown>) => {
  const address = String(body.to ?? body.recipient ?? '');
  return /^[A-Z]{2}\./.test(address) ? address : digits(address);
};
const keyOf = (id: string) => (/^[A-Z]{2}\./.test(id) ? id : digits(id));

/** On 127.0.0.1, speaking the Cloud API wire format (PROTOCOLS.md §1). */
/**
 * Starts a fake Graph API. With `enforceLimits` it refuses sends over Meta's throughput limits as Meta does: Graph
 * 130429 past the number's messages per second, 131056 past the pair's pacing (see rate-breaches.ts for the model);
 * a refused send is not recorded.
 */
export async function startWhatsappGraphSimulator(options: { port?: number; host?: string; version?: string; enforceLimits?: RateLimits } = {}): Promise<WhatsappGraphSimulator> {
  const version = options.version ?? 'v21.0';
  const host = options.host ?? '127.0.0.1';
  const sends: RecordedSend[] = [];
  const reads: RecordedRead[] = [];
  const requests: SimRequest[] = [];
  const tokens = new Map<string, string>();
  const phoneNumbers = new Map<string, { displayPhoneNumber?: string; verifiedName?: string; qualityRating?: string }>();
  const media = new Map<string, StoredMedia>();
  const uploads: RecordedUpload[] = [];
  const closedWindows = new Set<string>();
  let failures: (FailureScript & { left: number })[] = [];
  let hangs: { left: number; match?: (req: SimRequest) => boolean }[] = [];
  const hanging = new Set<ServerResponse>();
  let delayMs = 0;
  let origin = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, graphError(131000, `simulator bug: ${String(err)}`));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readRawBody(req, 110 * 1024 * 1024);
    const contentType = req.headers['content-type'] ?? '';
    const multipart = contentType.startsWith('multipart/form-data');
    const raw = multipart ? '' : bytes.toString('utf8');
    const url = new URL(req.url ?? '/', origin);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const sim = describe(req.method ?? 'GET', url, auth?.[1] ?? null, raw);
    requests.push(sim);

    const hang = takeScript(hangs, sim);
    if (hang) {
      hanging.add(res); // never answered; the client's timeout (or reset/close) ends it
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (sim.kind === 'unknown') return json(res, 400, graphError(2500, `Unknown path components: ${url.pathname}`));
    if (sim.body === INVALID_JSON) return json(res, 400, graphError(100, '(#100) The request body is not valid JSON'));

    const owner = sim.kind === 'media' || sim.kind === 'media-download' ? media.get(sim.mediaId ?? '')?.phoneNumberId ?? null : sim.phoneNumberId;
    const expected = owner === null ? undefined : tokens.get(owner);
    if (!sim.token || (expected !== undefined && sim.token !== expected)) {
      return json(res, 401, graphError(190, sim.token ? undefined : 'Invalid OAuth access token - Cannot parse access token'));
    }

    const failure = takeScript(failures, sim);
    if (failure) return fail(res, failure);

    switch (sim.kind) {
      case 'upload':
        return answerUpload(res, sim, multipart ? parseMultipart(bytes, contentType) : []);
      case 'send':
        return answerSend(res, sim);
      case 'read':
        reads.push({ phoneNumberId: sim.phoneNumberId!, token: sim.token, messageId: String((sim.body as { message_id?: unknown }).message_id), typing: Boolean((sim.body as { typing_indicator?: unknown }).typing_indicator), at: Date.now() });
        return json(res, 200, { success: true });
      case 'media':
        return answerMediaInfo(res, sim.mediaId!);
      case 'media-download':
        return answerMediaBytes(res, sim.mediaId!, url.searchParams.get('hash'));
      case 'phone-number': {
        const info = phoneNumbers.get(sim.phoneNumberId!);
        if (!info && !tokens.has(sim.phoneNumberId!) && !url.searchParams.has('fields')) {
          return json(res, 400, graphError(100, `Unsupported get request. Object with ID '${sim.phoneNumberId}' does not exist`));
        }
        return json(res, 200, {
          display_phone_number: info?.displayPhoneNumber ?? '+1 555-000-1234',
          verified_name: info?.verifiedName ?? 'Simulated Business',
          quality_rating: info?.qualityRating ?? 'GREEN',
          id: sim.phoneNumberId,
        });
      }
    }
  }

  function describe(method: string, url: URL, token: string | null, raw: string): SimRequest {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body = raw === '' ? null : parseJson(raw);
    const base = { method, path: url.pathname + url.search, token, body, phoneNumberId: null, mediaId: null };
    if (method === 'GET' && parts.length === 2 && parts[0] === 'media-download') return { ...base, kind: 'media-download', mediaId: parts[1]! };
    if (parts[0] !== version) return { ...base, kind: 'unknown' };
    if (method === 'POST' && parts.length === 3 && parts[2] === 'messages') {
      const isRead = (body as { status?: unknown } | null)?.status === 'read';
      return { ...base, kind: isRead ? 'read' : 'send', phoneNumberId: parts[1]! };
    }
    if (method === 'POST' && parts.length === 3 && parts[2] === 'media') return { ...base, kind: 'upload', phoneNumberId: parts[1]! };
    if (method === 'GET' && parts.length === 2) {
      return media.has(parts[1]!) ? { ...base, kind: 'media', mediaId: parts[1]! } : { ...base, kind: 'phone-number', phoneNumberId: parts[1]! };
    }
    return { ...base, kind: 'unknown' };
  }

  let refused = 0;
  /** The Graph error code Meta would refuse this send with under the enforced limits, or null. */
  function overLimit(phoneNumberId: string, to: string): number | null {
    const limits = options.enforceLimits;
    if (!limits) return null;
    const now = Date.now();
    const perSecond = limits.perNumberPerSecond ?? 80;
    if (sends.filter((x) => x.phoneNumberId === phoneNumberId && x.at > now - 1000).length >= perSecond) return 130429;
    const refillMs = (limits.perPairSeconds ?? 6) * 1000;
    const burst = Math.max(1, limits.pairBurst ?? 1);
    let tokens = burst;
    let last = 0;
    for (const x of sends) {
      if (x.phoneNumberId !== phoneNumberId || digits(String(x.body.to)) !== to) continue;
      tokens = Math.min(burst, tokens + (last === 0 ? 0 : (x.at - last) / refillMs)) - 1;
      last = x.at;
    }
    if (last !== 0) tokens = Math.min(burst, tokens + (now - last) / refillMs);
    return tokens >= 1 - 1e-9 ? null : 131056;
  }

  function answerSend(res: ServerResponse, sim: SimRequest): void {
    const body = (typeof sim.body === 'object' && sim.body !== null ? sim.body : {}) as Record<string, unknown>;
    const problem = sendProblem(body);
    if (problem) return json(res, 400, graphError(100, `(#100) ${problem}`));
    if (closedWindows.has(addressKey(body)) && body.type !== 'template') return json(res, 400, graphError(131047));
    const limited = overLimit(sim.phoneNumberId!, addressKey(body));
    if (limited !== null) {
      refused++;
      return json(res, 400, graphError(limited));
    }
    const wamid = newWamid();
    sends.push({ phoneNumberId: sim.phoneNumberId!, token: sim.token!, body, wamid, at: Date.now() });
    json(res, 200, sendAccepted(String(body.to ?? body.recipient), wamid));
  }

  /** POST /{phone_number_id}/media: multipart with messaging_product, type and file, as Meta takes uploads. */
  function answerUpload(res: ServerResponse, sim: SimRequest, parts: MultipartPart[]): void {
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
    const product = parts.find((p) => p.name === 'messaging_product')?.data.toString();
    if (!file || product !== 'whatsapp') return json(res, 400, graphError(100, '(#100) The parameter file and messaging_product=whatsapp are required'));
    const mimeType = parts.find((p) => p.name === 'type')?.data.toString() ?? file.contentType ?? 'application/octet-stream';
    const id = storeMedia(newMediaId(), Buffer.from(file.data), mimeType, sim.phoneNumberId);
    uploads.push({ phoneNumberId: sim.phoneNumberId!, mediaId: id, mimeType, filename: file.filename ?? '', bytes: Buffer.from(file.data) });
    json(res, 200, { id });
  }

  /** Keeps media for fetching by id; its download URL carries a fresh hash, as Meta's expiring URLs do. */
  function storeMedia(id: string, bytes: Buffer, mimeType: string, phoneNumberId: string | null): string {
    media.set(id, { bytes, mimeType, phoneNumberId, hash: randomBytes(16).toString('hex') });
    return id;
  }

  function answerMediaInfo(res: ServerResponse, mediaId: string): void {
    const item = media.get(mediaId)!;
    json(res, 200, {
      messaging_product: 'whatsapp',
      url: `${origin}/media-download/${encodeURIComponent(mediaId)}?hash=${item.hash}`,
      mime_type: item.mimeType,
      sha256: createHash('sha256').update(item.bytes).digest('hex'),
      file_size: item.bytes.length,
      id: mediaId,
    });
  }

  function answerMediaBytes(res: ServerResponse, mediaId: string, hash: string | null): void {
    const item = media.get(mediaId);
    if (!item || item.hash !== hash) return json(res, 404, graphError(100, 'Media not found or URL expired'));
    res.writeHead(200, { 'content-type': item.mimeType, 'content-length': item.bytes.length });
    res.end(item.bytes);
  }

  function fail(res: ServerResponse, script: FailureScript): void {
    const status = script.status ?? (script.code !== undefined ? statusForCode(script.code) : 500);
    const headers: Record<string, string> = script.retryAfterSeconds !== undefined ? { 'retry-after': String(script.retryAfterSeconds) } : {};
    if (script.body !== undefined) {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(script.body);
      return;
    }
    json(res, status, graphError(script.code ?? codeForStatus(status), script.message, script.details), headers);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const dropHanging = () => {
    for (const res of hanging) res.socket?.destroy();
    hanging.clear();
  };

  return {
    url: `${origin}/${version}`,
    port,
    sends,
    reads,
    uploads,
    requests,
    setToken: (phoneNumberId, token) => void tokens.set(phoneNumberId, token),
    setPhoneNumber: (phoneNumberId, info) => void phoneNumbers.set(phoneNumberId, info),
    addMedia: (bytes, mimeType, mediaOptions = {}) =>
      storeMedia(mediaOptions.mediaId ?? newMediaId(), typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes), mimeType, mediaOptions.phoneNumberId ?? null),
    failNext: (script = {}) => void failures.push({ ...script, left: script.count ?? 1 }),
    hangNext: (hangOptions = {}) => void hangs.push({ left: hangOptions.count ?? 1, ...(hangOptions.match && { match: hangOptions.match }) }),
    delayAll: (ms) => void (delayMs = Math.max(0, ms)),
    closeWindow: (waId) => void closedWindows.add(keyOf(waId)),
    openWindow: (waId) => void closedWindows.delete(keyOf(waId)),
    messagesTo: (waId) => sends.filter((s) => addressKey(s.body) === keyOf(waId)),
    get refusedSends() {
      return refused;
    },
    rateBreaches: (limits) => countRateBreaches(sends.map((s) => ({ phoneNumberId: s.phoneNumberId, to: addressKey(s.body), at: s.at })), limits),
    reset() {
      // Cleared in place so arrays a test already holds stay live.
      sends.length = 0;
      reads.length = 0;
      uploads.length = 0;
      requests.length = 0;
      tokens.clear();
      phoneNumbers.clear();
      media.clear();
      closedWindows.clear();
      failures = [];
      hangs = [];
      delayMs = 0;
      dropHanging();
    },
    async close() {
      dropHanging();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return INVALID_JSON;
  }
}

/** Takes one use of the first script matching `req`, dropping scripts that are used up. */
function takeScript<T extends { left: number; match?: (req: SimRequest) => boolean }>(scripts: T[], req: SimRequest): T | undefined {
  const script = scripts.find((s) => s.left > 0 && (!s.match || s.match(req)));
  if (!script) return undefined;
  script.left -= 1;
  if (script.left <= 0) scripts.splice(scripts.indexOf(script), 1);
  return script;
}
