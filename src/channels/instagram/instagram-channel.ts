import { ChannelApiError, TransportError } from '../errors.js';
import type { AccountBatch, ChannelCredentials, ChannelReceiver, ChannelSender, OutboundMessage } from '../types.js';
import { verifyWhatsappSignature } from '../whatsapp/verify-signature.js';
import { classifyInstagramError } from './error-table.js';
import { parseInstagramWebhook } from './parse-webhook.js';

/** Instagram's limit for one text message (PROTOCOLS.md §3); longer replies go as several. */
export const INSTAGRAM_TEXT_LIMIT = 1000;
const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

export interface InstagramChannelOptions {
  /** Graph root including the version (INSTAGRAM_GRAPH_URL). */
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Instagram Direct through the Graph API with the account's token: `POST /{ig_id}/messages`. Replies go inside the
 * 24-hour window; a message a person wrote (a manager's) that Instagram refuses for the window is sent again with
 * the HUMAN_AGENT tag, which Instagram accepts up to 7 days after the customer's last message; past that the
 * window_closed error reaches the job, which records it for the manager. Never retries otherwise (jobs/ decides).
 */
export class InstagramChannel implements ChannelSender, ChannelReceiver {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: InstagramChannelOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  verifySignature(rawBody: Uint8Array, signatureHeader: string | undefined, secret: string): boolean {
    // Meta signs Instagram deliveries exactly as WhatsApp's (X-Hub-Signature-256 over the raw body).
    return verifyWhatsappSignature(rawBody, signatureHeader, secret);
  }

  parse(body: unknown): AccountBatch[] {
    return parseInstagramWebhook(body);
  }

  async send(credentials: ChannelCredentials, message: OutboundMessage, signal?: AbortSignal): Promise<{ providerMessageId: string }> {
    const bodies = this.bodiesOf(message);
    let last = '';
    for (const body of bodies) last = await this.sendOne(credentials, { recipient: { id: message.to }, message: body }, message, signal);
    return { providerMessageId: last };
  }

  private async sendOne(credentials: ChannelCredentials, body: Record<string, unknown>, message: OutboundMessage, signal?: AbortSignal): Promise<string> {
    try {
      return await this.post(credentials, body, signal);
    } catch (err) {
      const humanAgent = 'humanAgent' in message && message.humanAgent === true;
      if (!(err instanceof ChannelApiError) || err.reason !== 'window_closed' || !humanAgent) throw err;
      // Past the standard window: a person's reply may still go with the human-agent tag, up to 7 days.
      return this.post(credentials, { ...body, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }, signal);
    }
  }

  private bodiesOf(message: OutboundMessage): Record<string, unknown>[] {
    if (message.type === 'text') return splitText(message.text).map((text) => ({ text }));
    if (message.type === 'image' || message.type === 'document') {
      const type = message.type === 'image' ? 'image' : 'file';
      const payload = message.mediaId ? { attachment_id: message.mediaId } : { url: message.link };
      const caption = message.caption?.trim() ? splitText(message.caption).map((text) => ({ text })) : [];
      return [{ attachment: { type, payload } }, ...caption];
    }
    if (message.type === 'buttons') return [{ text: [message.text, ...message.buttons.map((b) => `• ${b.title}`)].join('\n').slice(0, INSTAGRAM_TEXT_LIMIT) }];
    throw new ChannelApiError({ message: 'Instagram has no message templates', httpStatus: 0, code: null, reason: 'bad_request', retryable: false, hint: 'templates exist only on WhatsApp; write to the customer on Instagram after they write' });
  }

  /** Instagram marks messages seen per conversation, not per message id; read receipts are a courtesy it skips. */
  async markRead(): Promise<void> {}

  /** Inbound media are CDN URLs (the media "id" is the URL): downloaded as they are. */
  async fetchMedia(credentials: ChannelCredentials, mediaId: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mimeType: string }> {
    if (!/^https?:\/\//.test(mediaId)) throw new TransportError('Instagram media: expected the attachment URL');
    return this.exchange('download Instagram media', mediaId, { method: 'GET' }, credentials.accessToken, signal, async (response) => {
      if (!response.ok) throw classifyInstagramError(response.status, await response.text(), response.headers.get('retry-after'));
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.byteLength > MAX_MEDIA_BYTES) throw new ChannelApiError({ message: `Instagram media over ${MAX_MEDIA_BYTES} bytes`, httpStatus: 0, code: null, reason: 'bad_request', retryable: false, hint: 'the file is too large for botctl to download' });
      return { bytes, mimeType: response.headers.get('content-type') ?? 'application/octet-stream' };
    });
  }

  /** Uploads a manager's file to the account's attachments and returns its attachment id (`POST /{ig_id}/message_attachments`). */
  async uploadMedia(credentials: ChannelCredentials, media: { bytes: Buffer; mimeType: string; filename: string }, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    const type = media.mimeType.startsWith('image/') ? 'image' : 'file';
    form.set('message', JSON.stringify({ attachment: { type, payload: { is_reusable: true } } }));
    form.set('filedata', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), media.filename);
    const url = `${this.baseUrl}/${encodeURIComponent(credentials.externalId)}/message_attachments`;
    const answer = await this.exchange('Instagram attachment upload', url, { method: 'POST', body: form }, credentials.accessToken, signal, (r) => this.readJson(r, credentials.accessToken));
    const id = (answer as { attachment_id?: unknown }).attachment_id;
    if (typeof id !== 'string' || id === '') throw new TransportError('Instagram attachment upload: answered 2xx without attachment_id');
    return id;
  }

  /** The account's id and username (for `botctl doctor`): proves the token works for this account. */
  async getAccount(credentials: ChannelCredentials, signal?: AbortSignal): Promise<{ id: string; username: string | null }> {
    const url = `${this.baseUrl}/${encodeURIComponent(credentials.externalId)}?fields=id,username`;
    const answer = (await this.exchange('Instagram account', url, { method: 'GET' }, credentials.accessToken, signal, (r) => this.readJson(r, credentials.accessToken))) as { id?: unknown; username?: unknown };
    return { id: typeof answer.id === 'string' ? answer.id : credentials.externalId, username: typeof answer.username === 'string' ? answer.username : null };
  }

  /**
   * A customer's profile as the account sees it (the User Profile API): `GET /{IGSID}?fields=name,username` with the
   * account's token. Instagram answers only for someone who messaged the account (its consent rule) and not for one
   * who blocked it; those refusals reach the caller as a non-retryable ChannelApiError (code 230, or 100).
   */
  async userProfile(credentials: ChannelCredentials, igsid: string, signal?: AbortSignal): Promise<{ username: string | null; name: string | null }> {
    const url = `${this.baseUrl}/${encodeURIComponent(igsid)}?fields=name,username`;
    const answer = (await this.exchange('Instagram user profile', url, { method: 'GET' }, credentials.accessToken, signal, (r) => this.readJson(r, credentials.accessToken))) as { username?: unknown; name?: unknown };
    const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
    return { username: text(answer.username), name: text(answer.name) };
  }

  private async post(credentials: ChannelCredentials, body: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const url = `${this.baseUrl}/${encodeURIComponent(credentials.externalId)}/messages`;
    const init: RequestInit = { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    const answer = (await this.exchange(`send via Instagram account ${credentials.externalId}`, url, init, credentials.accessToken, signal, (r) => this.readJson(r, credentials.accessToken))) as { message_id?: unknown };
    if (typeof answer.message_id !== 'string' || answer.message_id === '') throw new TransportError('Instagram API answered 2xx without message_id');
    return answer.message_id;
  }

  private async readJson(response: Response, token: string): Promise<unknown> {
    const text = (await response.text()).split(token).join('[token]');
    if (!response.ok) throw classifyInstagramError(response.status, text, response.headers.get('retry-after'));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TransportError(`Instagram API answered HTTP ${response.status} with invalid JSON`);
    }
  }

  private async exchange<T>(what: string, url: string, init: RequestInit, token: string, callerSignal: AbortSignal | undefined, read: (r: Response) => Promise<T>): Promise<T> {
    callerSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
    try {
      return await read(await this.fetchImpl(url, { ...init, headers, signal }));
    } catch (err) {
      if (err instanceof ChannelApiError || err instanceof TransportError) throw err;
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) throw new TransportError(`${what}: Instagram API did not answer within ${this.timeoutMs} ms`, { cause: err });
      const detail = err instanceof Error ? err.message : String(err);
      throw new TransportError(`${what}: request to Instagram API failed: ${detail.split(token).join('[token]')}`, { cause: err });
    }
  }
}

/** Splits at line or word boundaries under Instagram's limit, so nothing of a long reply is lost. */
export function splitText(text: string, limit = INSTAGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
