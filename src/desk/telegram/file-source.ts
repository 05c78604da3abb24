import { Api } from 'grammy';
import type { MediaSourcePort, OutboundMedia } from '../../conversation/ports.js';
import { TransientJobError } from '../../jobs/errors.js';

/** Telegram bots may download files up to 20 MB (Bot API getFile). */
const MAX_BYTES = 20 * 1024 * 1024;

/** Fetches files managers posted in Telegram, for the send job to upload to WhatsApp. */
export class TelegramFileSource implements MediaSourcePort {
  private readonly api: Api;

  constructor(private readonly options: { token: string; apiRoot: string }) {
    this.api = new Api(options.token, { apiRoot: options.apiRoot });
  }

  async fetch(media: OutboundMedia, signal: AbortSignal): Promise<{ bytes: Buffer; mimeType: string; filename: string }> {
    const file = await this.api.getFile(media.fileId, signal as Parameters<Api["getFile"]>[1]);
    if (!file.file_path) throw new TransientJobError('Telegram gave no download path for the file');
    if ((file.file_size ?? 0) > MAX_BYTES) throw new TransientJobError('the file is over the 20 MB Telegram lets bots download');
    const response = await fetch(`${this.options.apiRoot.replace(/\/$/, '')}/file/bot${this.options.token}/${file.file_path}`, { signal });
    if (!response.ok) throw new TransientJobError(`Telegram file download failed with HTTP ${response.status}`);
    return { bytes: Buffer.from(await response.arrayBuffer()), mimeType: media.mimeType, filename: media.filename };
  }
}
