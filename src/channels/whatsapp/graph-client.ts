import { ChannelApiError, TransportError } from '../errors.js';
import { classifyGraphError } from './error-table.js';

export interface GraphClientOptions {
  /** Graph root including the version, e.g. `https://graph.facebook.com/v21.0`. */
  baseUrl: string;
  /** Whole-call limit, answer body included. Default 15 000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Largest media download accepted. Default 16 MB (Meta's audio/video limit). */
  maxMediaBytes?: number;
}

export interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
}

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  sha256?: string;
}

/**
 * The WhatsApp Cloud API calls botctl makes. Every failure is a ChannelApiError (Graph said no, classified by
 * error-table.ts) or a TransportError (no usable answer); an abort by the caller's own signal rethrows its reason.
 * Never retries (jobs/ decides) and never puts the token in a message.
 */
export class GraphClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly maxMediaBytes: number;

  constructor(options: GraphClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.maxMediaBytes = options.maxMediaBytes ?? 16 * 1024 * 1024;
  }

  /** Sends one message; resolves to its wamid. Accepted is not delivered: delivery arrives as a status webhook. */
  async sendMessage(phoneNumberId: string, token: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const what = `send via phone number ${phoneNumberId}`;
    const answer = await this.json(what, 'POST', `/${encodeURIComponent(phoneNumberId)}/messages`, token, body, signal);
    const id = (answer as { messages?: { id?: unknown }[] } | null)?.messages?.[0]?.id;
    if (typeof id !== 'string' || id === '') throw new TransportError(`${what}: WhatsApp API answered 2xx without messages[0].id`);
    return id;
  }

  /** Marks `messageId` read (blue ticks); with `typing`, also shows "typing…" until our reply or 25 s. */
  async markRead(phoneNumberId: string, token: string, messageId: string, typing: boolean, signal?: AbortSignal): Promise<void> {
    const body = {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      ...(typing && { typing_indicator: { type: 'text' } }),
    };
    await this.json(`mark read via phone number ${phoneNumberId}`, 'POST', `/${encodeURIComponent(phoneNumberId)}/messages`, token, body, signal);
  }

  /** Looks up a media id, then downloads it from the short-lived URL (which also needs the bearer header). */
  async getMedia(mediaId: string, token: string, signal?: AbortSignal): Promise<DownloadedMedia> {
    const what = `media ${mediaId}`;
    const info = (await this.json(what, 'GET', `/${encodeURIComponent(mediaId)}`, token, undefined, signal)) as
      { url?: unknown; mime_type?: unknown; sha256?: unknown; file_size?: unknown } | null;
    if (typeof info?.url !== 'string' || !/^https?:\/\//.test(info.url)) throw new TransportError(`${what}: WhatsApp API answered without a download url`);
    if (typeof info.file_size === 'number' && info.file_size > this.maxMediaBytes) throw this.tooLarge(what, info.file_size);
    const { bytes, contentType } = await this.exchange(`download ${what}`, info.url, { method: 'GET' }, token, signal, async (response) => {
      if (!response.ok) throw classifyGraphError(response.status, scrub(await response.text(), token), response.headers.get('retry-after'));
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > this.maxMediaBytes) {
        await response.body?.cancel();
        throw this.tooLarge(what, declared);
      }
      return { bytes: await this.readLimited(what, response), contentType: response.headers.get('content-type') };
    });
    const mimeType = typeof info.mime_type === 'string' ? info.mime_type : contentType ?? 'application/octet-stream';
    return { bytes, mimeType, ...(typeof info.sha256 === 'string' && { sha256: info.sha256 }) };
  }

  /** Uploads media for sending (POST /{phone_number_id}/media, multipart); resolves to its media id. */
  async uploadMedia(phoneNumberId: string, token: string, media: { bytes: Buffer; mimeType: string; filename: string }, signal?: AbortSignal): Promise<string> {
    const what = `media upload via phone number ${phoneNumberId}`;
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', media.mimeType);
    form.set('file', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), media.filename);
    const answer = await this.exchange(what, `${this.baseUrl}/${encodeURIComponent(phoneNumberId)}/media`, { method: 'POST', body: form }, token, signal, async (response) => {
      const text = scrub(await response.text(), token);
      if (!response.ok) throw classifyGraphError(response.status, text, response.headers.get('retry-after'));
      try {
        return JSON.parse(text) as { id?: unknown };
      } catch {
        throw new TransportError(`${what}: WhatsApp API answered HTTP ${response.status} with invalid JSON`);
      }
    });
    if (typeof answer.id !== 'string' || answer.id === '') throw new TransportError(`${what}: WhatsApp API answered 2xx without an id`);
    return answer.id;
  }

  /** Display number, verified name and quality rating of a phone number id (for `botctl doctor`). */
  async getPhoneNumber(phoneNumberId: string, token: string, signal?: AbortSignal): Promise<PhoneNumberInfo> {
    const path = `/${encodeURIComponent(phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`;
    const answer = (await this.json(`phone number ${phoneNumberId}`, 'GET', path, token, undefined, signal)) as Partial<PhoneNumberInfo> | null;
    return { ...answer, id: typeof answer?.id === 'string' ? answer.id : phoneNumberId };
  }

  /** One Graph call whose answer is JSON: non-2xx → classifyGraphError, unparseable 2xx → TransportError. */
  private json(what: string, method: string, path: string, token: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const init: RequestInit = body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    return this.exchange(what, this.baseUrl + path, init, token, signal, async (response) => {
      const text = scrub(await response.text(), token);
      if (!response.ok) throw classifyGraphError(response.status, text, response.headers.get('retry-after'));
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new TransportError(`${what}: WhatsApp API answered HTTP ${response.status} with invalid JSON`);
      }
    });
  }

  /** Runs fetch plus `read` under one timeout, mapping every failure to the channel errors. */
  private async exchange<T>(
    what: string, url: string, init: RequestInit, token: string, callerSignal: AbortSignal | undefined, read: (response: Response) => Promise<T>,
  ): Promise<T> {
    callerSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
    try {
      const response = await this.fetchImpl(url, { ...init, headers, signal });
      return await read(response);
    } catch (err) {
      if (err instanceof ChannelApiError || err instanceof TransportError) throw err;
      // The caller (shutdown, job lease lost) cancelled: not a channel failure, so let its reason through.
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) throw new TransportError(`${what}: WhatsApp API did not answer within ${this.timeoutMs} ms`, { cause: err });
      const detail = err instanceof Error ? [err.message, (err.cause as Error | undefined)?.message].filter(Boolean).join(': ') : String(err);
      throw new TransportError(`${what}: request to WhatsApp API failed: ${scrub(detail, token)}`, { cause: err });
    }
  }

  /** Reads the body but stops as soon as it passes the limit, so a huge file never fills memory. */
  private async readLimited(what: string, response: Response): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (!response.body) return Buffer.alloc(0);
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > this.maxMediaBytes) throw this.tooLarge(what, total); // leaving the loop cancels the stream
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** httpStatus 0: refused by botctl itself, not by Graph. */
  private tooLarge(what: string, size: number): ChannelApiError {
    const limitMb = Math.round((this.maxMediaBytes / 1024 / 1024) * 10) / 10;
    return new ChannelApiError({
      message: `${what} is larger than the ${limitMb} MB limit (${size > this.maxMediaBytes ? `at least ${size}` : size} bytes)`,
      httpStatus: 0,
      code: null,
      reason: 'bad_request',
      retryable: false,
      hint: `the customer's file is over ${limitMb} MB, which botctl does not download; ask for a smaller file`,
    });
  }
}

/** Graph does not echo tokens, but a proxy or a scripted failure might: never let one into an error. */
function scrub(text: string, token: string): string {
  return token === '' ? text : text.split(token).join('[token]');
}
