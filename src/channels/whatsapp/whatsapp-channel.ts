import { ChannelApiError } from '../errors.js';
import type { AccountBatch, ChannelCredentials, ChannelReceiver, ChannelSender, OutboundMessage } from '../types.js';
import type { GraphClient } from './graph-client.js';
import { parseWhatsappWebhook } from './parse-webhook.js';
import { verifyWhatsappSignature } from './verify-signature.js';

// Meta's limits (PROTOCOLS.md §1 "Sending"). Refused here, before a request, so the error names our field.
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_BUTTON_BODY = 1024;
const MAX_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;
const MAX_BUTTON_ID = 256;

/** The WhatsApp Cloud API as a channel: outbound messages become Graph bodies, deliveries become AccountBatches. */
export class WhatsappChannel implements ChannelSender, ChannelReceiver {
  constructor(private readonly graph: GraphClient) {}

  async send(credentials: ChannelCredentials, message: OutboundMessage, signal?: AbortSignal): Promise<{ providerMessageId: string }> {
    const body = toGraphMessage(message);
    const providerMessageId = await this.graph.sendMessage(credentials.externalId, credentials.accessToken, body, signal);
    return { providerMessageId };
  }

  async markRead(credentials: ChannelCredentials, providerMessageId: string, options: { typing: boolean }, signal?: AbortSignal): Promise<void> {
    await this.graph.markRead(credentials.externalId, credentials.accessToken, providerMessageId, options.typing, signal);
  }

  async uploadMedia(credentials: ChannelCredentials, media: { bytes: Buffer; mimeType: string; filename: string }, signal?: AbortSignal): Promise<string> {
    return this.graph.uploadMedia(credentials.externalId, credentials.accessToken, media, signal);
  }

  async fetchMedia(credentials: ChannelCredentials, mediaId: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mimeType: string }> {
    const { bytes, mimeType } = await this.graph.getMedia(mediaId, credentials.accessToken, signal);
    return { bytes, mimeType };
  }

  verifySignature(rawBody: Uint8Array, signatureHeader: string | undefined, secret: string): boolean {
    return verifyWhatsappSignature(rawBody, signatureHeader, secret);
  }

  parse(body: unknown): AccountBatch[] {
    return parseWhatsappWebhook(body);
  }
}

/** A business-scoped user id: two capital letters, a dot, then alphanumerics (and `ENT.` for a parent id). */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;

/**
 * A customer with a username and a hidden number is addressed by their BSUID in `recipient`; everyone else by
 * their phone number in `to` (docs/decisions/0022: Meta's reference was unsettled between the two fields).
 */
function addressOf(to: string): { to: string } | { recipient: string } {
  return BSUID.test(to) ? { recipient: to } : { to };
}

/**
 * The Graph `/messages` body for `message`. Throws a non-retryable ChannelApiError (bad_request, httpStatus 0)
 * when a limit is broken: truncating a customer's answer silently would be worse than failing loudly.
 */
export function toGraphMessage(message: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', ...addressOf(requireText('to', message.to, 160)) };
  const context = 'replyTo' in message && message.replyTo ? { context: { message_id: message.replyTo } } : {};
  switch (message.type) {
    case 'text':
      return {
        ...base, ...context, type: 'text',
        text: { body: requireText('text', message.text, MAX_TEXT), ...(message.previewUrl !== undefined && { preview_url: message.previewUrl }) },
      };
    case 'image':
      return {
        ...base, ...context, type: 'image',
        image: { ...mediaSource(message), ...caption(message.caption) },
      };
    case 'document':
      return {
        ...base, ...context, type: 'document',
        document: { ...mediaSource(message), ...(message.filename && { filename: message.filename }), ...caption(message.caption) },
      };
    case 'buttons':
      return {
        ...base, ...context, type: 'interactive',
        interactive: { type: 'button', body: { text: requireText('text', message.text, MAX_BUTTON_BODY) }, action: { buttons: replyButtons(message.buttons) } },
      };
    case 'template':
      return {
        ...base, type: 'template',
        template: {
          name: requireText('template name', message.name, 512),
          language: { code: requireText('template language', message.language, 32) },
          ...(message.components && message.components.length > 0 && { components: message.components }),
        },
      };
  }
}

function mediaSource(message: { mediaId?: string; link?: string }): { id: string } | { link: string } {
  if (message.mediaId && message.link) throw invalid('give either mediaId or link, not both');
  if (message.mediaId) return { id: message.mediaId };
  if (message.link) return { link: message.link };
  throw invalid('media needs a mediaId or a link');
}

function caption(text: string | undefined): { caption?: string } {
  return text === undefined || text === '' ? {} : { caption: requireText('caption', text, MAX_CAPTION) };
}

function replyButtons(buttons: { id: string; title: string }[]): unknown[] {
  if (buttons.length === 0 || buttons.length > MAX_BUTTONS) throw invalid(`reply buttons: ${buttons.length} given, 1 to ${MAX_BUTTONS} allowed`);
  // Meta refuses duplicate ids or titles with error 100; say which one here instead.
  const ids = new Set(buttons.map((b) => b.id));
  const titles = new Set(buttons.map((b) => b.title));
  if (ids.size !== buttons.length || titles.size !== buttons.length) throw invalid('reply buttons need unique ids and unique titles');
  return buttons.map((b, i) => ({
    type: 'reply',
    reply: { id: requireText(`button ${i + 1} id`, b.id, MAX_BUTTON_ID), title: requireText(`button ${i + 1} title`, b.title, MAX_BUTTON_TITLE) },
  }));
}

/** Non-empty and at most `max` characters, counted as code points (an emoji is one), as a person counts them. */
function requireText(field: string, value: string, max: number): string {
  if (value.length === 0) throw invalid(`${field} is empty`);
  const length = [...value].length;
  if (length > max) throw invalid(`${field} is ${length} characters, WhatsApp allows ${max}`);
  return value;
}

function invalid(problem: string): ChannelApiError {
  return new ChannelApiError({
    message: `WhatsApp message not sent: ${problem}`,
    httpStatus: 0,
    code: null,
    reason: 'bad_request',
    retryable: false,
    hint: 'the message breaks a WhatsApp limit: shorten or split it (a botctl bug if it came from the bot)',
  });
}
