/**
 * The channel-neutral shapes every customer channel (WhatsApp now; Instagram and Telegram later) converts to and
 * from. The conversation core sees only these; provider payloads stay inside the adapter (and `raw`, for the record).
 */

export type InboundKind =
  | 'text' | 'image' | 'video' | 'document' | 'audio' | 'voice' | 'sticker' | 'location' | 'contacts'
  | 'button_reply' | 'list_reply' | 'quick_reply' | 'reaction' | 'order' | 'edit' | 'revoke' | 'system' | 'unsupported'
  /** The customer opened the chat (Telegram's /start): greeted from the tenant's texts, not answered by the LLM. */
  | 'start';

export interface InboundMedia {
  id: string;
  mimeType: string;
  sha256?: string;
  filename?: string;
}

export interface InboundMessage {
  /** The provider's message id (WhatsApp: wamid), unique per channel account. */
  providerMessageId: string;
  /**
   * The customer's address on the channel: the phone number (WhatsApp wa_id digits) when the provider sends one,
   * else the business-scoped user id (BSUID) of a customer who hides their number behind a username.
   */
  from: string;
  /** The customer's phone number (digits), or null when withheld. */
  phone: string | null;
  /** The business-scoped user id (WhatsApp BSUID, e.g. `KZ.1502576394655843`), when the provider sends one. */
  userId: string | null;
  /** The name the customer shows on the channel, when the provider sends one. */
  profileName: string | null;
  /** When the customer sent it, epoch ms (provider clock); null when the provider did not say. */
  sentAt: number | null;
  kind: InboundKind;
  /**
   * What the bot reads, or null when there is nothing to read: the body of a text, the caption of media,
   * the title of a pressed button, a location or contact card described in words.
   */
  text: string | null;
  media: InboundMedia | null;
  /** The provider id of the message this one quotes or answers, if any. */
  replyTo: string | null;
  forwarded: boolean;
  /** For reactions: the message reacted to, and the emoji (null = reaction removed). */
  reaction: { messageId: string; emoji: string | null } | null;
  /**
   * For button_reply/list_reply: the id we gave the pressed button or list row; for quick_reply: the template
   * button's payload. Titles are shown to people and may be translated, so actions are looked up by this id.
   */
  buttonId?: string;
  /** For edits and revokes: the provider id of the message edited or deleted. */
  target?: string;
  /** For system notices: what changed (a new phone number, a new user id). */
  system?: { type: string; newPhone: string | null; newUserId: string | null };
  /** The provider's own object, kept in the message payload for trace and support. */
  raw: unknown;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  providerMessageId: string;
  status: DeliveryStatus;
  at: number;
  recipientId: string;
  error: { code: number; title: string; detail: string | null } | null;
}

/** Everything one webhook delivery said about one channel account (WhatsApp: one phone_number_id). */
export interface AccountBatch {
  accountExternalId: string;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
  /** Account-level errors with no message attached (WhatsApp `value.errors`). */
  errors: { code: number; title: string }[];
  /** Parts of the delivery that could not be read (each named by its path); the rest of the delivery is kept. */
  rejected: RejectedPart[];
}

export interface RejectedPart {
  /** Where in the delivery, e.g. `body.entry[0].changes[0].value.messages[2]`. */
  path: string;
  reason: string;
  providerMessageId: string | null;
}

/**
 * `humanAgent`: a person (a manager) wrote it. Channels with a human-agent allowance use it past their standard
 * window (Instagram's HUMAN_AGENT tag, up to 7 days); others ignore it.
 */
export type OutboundMessage =
  | { type: 'text'; to: string; text: string; replyTo?: string; previewUrl?: boolean; humanAgent?: boolean }
  | { type: 'image'; to: string; mediaId?: string; link?: string; caption?: string; replyTo?: string; humanAgent?: boolean }
  | { type: 'document'; to: string; mediaId?: string; link?: string; filename?: string; caption?: string; replyTo?: string; humanAgent?: boolean }
  | { type: 'buttons'; to: string; text: string; buttons: { id: string; title: string }[]; replyTo?: string }
  | { type: 'template'; to: string; name: string; language: string; components?: unknown[] };

export interface ChannelCredentials {
  /** The account's id at the provider (WhatsApp: phone_number_id). */
  externalId: string;
  accessToken: string;
}

/** Sending side of a channel. Throws ChannelApiError or TransportError (src/channels/errors.ts); never retries. */
export interface ChannelSender {
  send(credentials: ChannelCredentials, message: OutboundMessage, signal?: AbortSignal): Promise<{ providerMessageId: string }>;
  /** Marks a customer's message read; with `typing`, also shows "typing…" until the reply or 25 s. */
  markRead(credentials: ChannelCredentials, providerMessageId: string, options: { typing: boolean }, signal?: AbortSignal): Promise<void>;
  /** Downloads inbound media (voice notes for transcription, photos to relay to managers). */
  fetchMedia(credentials: ChannelCredentials, mediaId: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mimeType: string }>;
  /** Uploads a file (a manager's photo or document) and returns the media id to send it with. */
  uploadMedia(credentials: ChannelCredentials, media: { bytes: Buffer; mimeType: string; filename: string }, signal?: AbortSignal): Promise<string>;
}

/** Receiving side of a channel: authenticate a delivery and turn it into channel-neutral batches. */
export interface ChannelReceiver {
  /** True when `signatureHeader` is the provider's signature of exactly `rawBody` under `secret`. */
  verifySignature(rawBody: Uint8Array, signatureHeader: string | undefined, secret: string): boolean;
  /** Parses a delivery; throws WebhookPayloadError when the body is not one this channel sends. */
  parse(body: unknown): AccountBatch[];
}
