import { randomUUID } from 'node:crypto';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import { ChannelApiError, TransportError, type ChannelFailureReason } from '../errors.js';
import type { ChannelCredentials, ChannelSender, OutboundMessage } from '../types.js';

const TEXT_LIMIT = 4096;
/** grammY types its signal with the abort-controller polyfill; Node's own is the same at run time. */
const sig = (signal?: AbortSignal) => signal as unknown as Parameters<Api['getMe']>[0];
const CAPTION_LIMIT = 1024;
const MAX_FILE_BYTES = 20 * 1024 * 1024; // getFile's limit (PROTOCOLS.md §3a)

const HINTS: Record<ChannelFailureReason, string> = {
  window_closed: 'Telegram has no reply window: this should not happen; report it',
  undeliverable: 'the customer blocked the bot or deleted the chat: they can only be reached if they write again',
  token_invalid: "the tenant's customer bot token was revoked: run `botctl tenant update <slug> --telegram-customer-bot-token <new token from @BotFather>`",
  bad_request: 'Telegram refused the request as invalid: a botctl bug or a wrong setting; report it with this error',
  rate_limited: 'Telegram flood limit reached: the message is retried after the wait Telegram asked for',
  transient: 'Telegram failed temporarily: the message is retried with backoff',
};

/**
 * A tenant's own customer-facing Telegram bot (PROTOCOLS.md §3a), through grammY's Api on TELEGRAM_API_ROOT. The
 * account's external id is the bot id, its token the bot token; a customer's address is their private chat id.
 * Failures become ChannelApiError (403 blocked → undeliverable, 401 → token, 429 → rate limited with retry_after)
 * or TransportError; nothing is retried here.
 */
export class CustomerBotChannel implements ChannelSender {
  /** Files of managers between upload and send within one delivery (Telegram uploads as it sends). */
  private readonly staged = new Map<string, { bytes: Buffer; mimeType: string; filename: string }>();

  constructor(private readonly options: { apiRoot: string }) {}

  api(token: string): Api {
    return new Api(token, { apiRoot: this.options.apiRoot });
  }

  async send(credentials: ChannelCredentials, message: OutboundMessage, signal?: AbortSignal): Promise<{ providerMessageId: string }> {
    const api = this.api(credentials.accessToken);
    const chat = Number(message.to);
    return call(async () => {
      if (message.type === 'text' || message.type === 'buttons') {
        const text = message.type === 'text' ? message.text : [message.text, ...message.buttons.map((b) => `• ${b.title}`)].join('\n');
        let last = 0;
        for (let i = 0; i < Math.max(text.length, 1); i += TEXT_LIMIT) last = (await api.sendMessage(chat, text.slice(i, i + TEXT_LIMIT), {}, sig(signal))).message_id;
        return { providerMessageId: `${chat}:${last}` };
      }
      if (message.type === 'image' || message.type === 'document') {
        const file = this.takeStaged(message.mediaId) ?? (message.link ? message.link : null);
        if (file === null) throw new ChannelApiError({ message: 'nothing to send: no file', httpStatus: 0, code: null, reason: 'bad_request', retryable: false, hint: HINTS.bad_request });
        const input = typeof file === 'string' ? file : new InputFile(file.bytes, file.filename);
        const caption = message.caption ? { caption: message.caption.slice(0, CAPTION_LIMIT) } : {};
        const sent = message.type === 'image' ? await api.sendPhoto(chat, input, caption, sig(signal)) : await api.sendDocument(chat, input, caption, sig(signal));
        return { providerMessageId: `${chat}:${sent.message_id}` };
      }
      throw new ChannelApiError({ message: 'Telegram has no message templates', httpStatus: 0, code: null, reason: 'bad_request', retryable: false, hint: 'templates exist only on WhatsApp' });
    });
  }

  /** Bots have no read receipts; "typing…" in the customer's chat (the message id is `chat:message`). */
  async markRead(credentials: ChannelCredentials, providerMessageId: string, options: { typing: boolean }, signal?: AbortSignal): Promise<void> {
    if (!options.typing) return;
    const chat = Number(providerMessageId.split(':')[0]);
    await call(() => this.api(credentials.accessToken).sendChatAction(chat, 'typing', {}, sig(signal)));
  }

  /** getFile, then the file URL (`{apiRoot}/file/bot{token}/{path}`); the Bot API serves at most 20 MB. */
  async fetchMedia(credentials: ChannelCredentials, fileId: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mimeType: string }> {
    const file = await call(() => this.api(credentials.accessToken).getFile(fileId, sig(signal)));
    if (!file.file_path) throw new TransportError('Telegram getFile answered without file_path');
    if ((file.file_size ?? 0) > MAX_FILE_BYTES) throw new ChannelApiError({ message: `Telegram file over ${MAX_FILE_BYTES} bytes`, httpStatus: 0, code: null, reason: 'bad_request', retryable: false, hint: 'the customer\'s file is over 20 MB, which the Bot API does not serve' });
    const url = `${this.options.apiRoot.replace(/\/+$/, '')}/file/bot${credentials.accessToken}/${file.file_path}`;
    let response: Response;
    try {
      response = await fetch(url, { ...(signal ? { signal } : {}) });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TransportError(`download of a Telegram file failed: ${String((err as Error).message).split(credentials.accessToken).join('[token]')}`);
    }
    if (!response.ok) throw new TransportError(`download of a Telegram file answered HTTP ${response.status}`);
    // Telegram's file server answers application/octet-stream: the type comes from the file path's extension.
    const served = response.headers.get('content-type');
    const mimeType = mimeOfPath(file.file_path) ?? (served && served !== 'application/octet-stream' ? served : 'application/octet-stream');
    return { bytes: Buffer.from(await response.arrayBuffer()), mimeType };
  }

  /** Telegram uploads with the send: the file is kept until `send` takes it (same delivery, same process). */
  async uploadMedia(_credentials: ChannelCredentials, media: { bytes: Buffer; mimeType: string; filename: string }): Promise<string> {
    const id = `staged:${randomUUID()}`;
    this.staged.set(id, media);
    return id;
  }

  private takeStaged(mediaId: string | undefined) {
    if (!mediaId) return null;
    const file = this.staged.get(mediaId) ?? null;
    this.staged.delete(mediaId);
    return file;
  }
}

/** Runs one Bot API call, classifying grammY's errors (the token never reaches a message: grammY redacts it). */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GrammyError) {
      const reason: ChannelFailureReason = err.error_code === 403 ? 'undeliverable' : err.error_code === 401 || err.error_code === 404 ? 'token_invalid'
        : err.error_code === 429 ? 'rate_limited' : err.error_code >= 500 ? 'transient' : 'bad_request';
      const retryAfter = err.parameters.retry_after;
      throw new ChannelApiError({
        message: `Telegram ${err.error_code}: ${err.description}`, httpStatus: err.error_code, code: err.error_code, reason,
        retryable: reason === 'rate_limited' || reason === 'transient', hint: HINTS[reason], ...(retryAfter ? { retryAfterMs: retryAfter * 1000 } : {}),
      });
    }
    if (err instanceof HttpError) throw new TransportError(`request to Telegram failed: ${err.message}`, { cause: err });
    throw err;
  }
}

const MIME_BY_EXTENSION: Record<string, string> = {
  oga: 'audio/ogg', ogg: 'audio/ogg', opus: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4', pdf: 'application/pdf',
};

/** The type of a Bot API file by its path (`voice/file_12.oga`, `photos/file_3.jpg`). */
export function mimeOfPath(path: string): string | null {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension ? (MIME_BY_EXTENSION[extension] ?? null) : null;
}
