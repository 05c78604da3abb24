import { randomBytes, randomInt } from 'node:crypto';

/*
 * Inbound notifications shaped like the WhatsApp Cloud API's (PROTOCOLS.md §1), for tests and `botctl demo`.
 * Each message builder returns one wire message; inboundNotification() wraps messages into a delivery, and
 * mergeNotifications() packs several deliveries into one POST, as Meta does under load.
 */

export interface WaWireMessage {
  id: string;
  from: string;
  timestamp: string;
  type: string;
  [field: string]: unknown;
}

export interface WaNotification {
  object: 'whatsapp_business_account';
  entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[];
}

/** Fields every message builder accepts. `timestamp` is Unix seconds (default: now). */
export interface MessageOptions {
  from: string;
  id?: string;
  timestamp?: number | string;
  /** Adds `context{from, id}`: the message quotes or answers this one. */
  replyTo?: { id: string; from?: string };
}

export interface GraphErrorDetail {
  code: number;
  title: string;
  message?: string;
  details?: string;
}

/** A fresh, unique message id in Meta's style (`wamid.` + base64). */
export function newWamid(): string {
  return `wamid.${randomBytes(24).toString('base64url')}`;
}

/** A fresh media id in Meta's style (a long decimal number, as a string). */
export function newMediaId(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

function message(type: string, options: MessageOptions, fields: Record<string, unknown>): WaWireMessage {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    from: options.from,
    id: options.id ?? newWamid(),
    timestamp: String(timestamp),
    type,
    ...(options.replyTo && { context: { from: options.replyTo.from ?? '15550000000', id: options.replyTo.id } }),
    ...fields,
  };
}

export function textMessage(options: MessageOptions & { body: string; forwarded?: boolean | 'frequently' }): WaWireMessage {
  const built = message('text', options, { text: { body: options.body } });
  if (options.forwarded) {
    const flag = options.forwarded === 'frequently' ? { frequently_forwarded: true } : { forwarded: true };
    built.context = { ...(built.context as object | undefined), ...flag };
  }
  return built;
}

interface MediaOptions extends MessageOptions {
  mediaId?: string;
  mimeType?: string;
  sha256?: string;
}

function media(options: MediaOptions, defaultMime: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mime_type: options.mimeType ?? defaultMime, sha256: options.sha256 ?? randomBytes(32).toString('base64'), id: options.mediaId ?? newMediaId(), ...extra };
}

export function imageMessage(options: MediaOptions & { caption?: string }): WaWireMessage {
  return message('image', options, { image: media(options, 'image/jpeg', options.caption === undefined ? {} : { caption: options.caption }) });
}

export function videoMessage(options: MediaOptions & { caption?: string }): WaWireMessage {
  return message('video', options, { video: media(options, 'video/mp4', options.caption === undefined ? {} : { caption: options.caption }) });
}

/** A voice note as the app records it (ogg/opus, voice:true); pass `voice: false` and a mime type for a plain audio file. */
export function voiceMessage(options: MediaOptions & { voice?: boolean }): WaWireMessage {
  return message('audio', options, { audio: media(options, 'audio/ogg; codecs=opus', { voice: options.voice ?? true }) });
}

export function documentMessage(options: MediaOptions & { filename?: string; caption?: string }): WaWireMessage {
  const extra = { filename: options.filename ?? 'document.pdf', ...(options.caption !== undefined && { caption: options.caption }) };
  return message('document', options, { document: media(options, 'application/pdf', extra) });
}

export function stickerMessage(options: MediaOptions & { animated?: boolean }): WaWireMessage {
  return message('sticker', options, { sticker: media(options, 'image/webp', { animated: options.animated ?? false }) });
}

export function locationMessage(options: MessageOptions & { latitude: number; longitude: number; name?: string; address?: string }): WaWireMessage {
  const { latitude, longitude, name, address } = options;
  return message('location', options, { location: { latitude, longitude, ...(name !== undefined && { name }), ...(address !== undefined && { address }) } });
}

/** Shared contact cards. Every card field is optional, as on the wire; `raw` sends cards exactly as given. */
export function contactsMessage(
  options: MessageOptions & { contacts?: { formattedName?: string; phones?: { phone?: string; waId?: string }[] }[]; raw?: unknown[] },
): WaWireMessage {
  const cards = options.raw ?? (options.contacts ?? []).map((card) => ({
    ...(card.formattedName !== undefined && { name: { formatted_name: card.formattedName } }),
    ...(card.phones && { phones: card.phones.map((p) => ({ ...(p.phone && { phone: p.phone }), ...(p.waId && { wa_id: p.waId, type: 'CELL' }) })) }),
  }));
  return message('contacts', options, { contacts: cards });
}

/** A press on one of our reply buttons; `contextId` is the wamid of our message that carried the buttons. */
export function buttonReplyMessage(options: MessageOptions & { buttonId: string; title: string; contextId?: string }): WaWireMessage {
  return message('interactive', withContext(options), { interactive: { type: 'button_reply', button_reply: { id: options.buttonId, title: options.title } } });
}

export function listReplyMessage(options: MessageOptions & { rowId: string; title: string; description?: string; contextId?: string }): WaWireMessage {
  const reply = { id: options.rowId, title: options.title, ...(options.description !== undefined && { description: options.description }) };
  return message('interactive', withContext(options), { interactive: { type: 'list_reply', list_reply: reply } });
}

/** A press on a template's quick-reply button. */
export function quickReplyMessage(options: MessageOptions & { payload: string; text: string; contextId?: string }): WaWireMessage {
  return message('button', withContext(options), { button: { payload: options.payload, text: options.text } });
}

/** A reaction to `messageId`; no emoji = the customer removed their reaction. */
export function reactionMessage(options: MessageOptions & { messageId: string; emoji?: string }): WaWireMessage {
  return message('reaction', options, { reaction: { message_id: options.messageId, ...(options.emoji !== undefined && { emoji: options.emoji }) } });
}

/** What Meta sends for content the Cloud API does not support (e.g. an edit); `type` may name a future type. */
export function unsupportedMessage(options: MessageOptions & { type?: string; code?: number; title?: string }): WaWireMessage {
  const type = options.type ?? 'unsupported';
  const errors = [{ code: options.code ?? 131051, title: options.title ?? 'Message type unknown' }];
  return message(type, options, type === 'unsupported' ? { errors, unsupported: { type: 'edit' } } : { [type]: {} });
}

// Interactive replies always carry the context of the message whose button was pressed.
function withContext<T extends MessageOptions & { contextId?: string }>(options: T): T {
  return options.replyTo ? options : { ...options, replyTo: { id: options.contextId ?? newWamid() } };
}

interface AccountOptions {
  phoneNumberId: string;
  displayPhone?: string;
  /** The WhatsApp Business Account id of the entry (default: a fixed test id). */
  wabaId?: string;
}

function notification(account: AccountOptions, value: Record<string, unknown>): WaNotification {
  const metadata = { display_phone_number: account.displayPhone ?? '15550001234', phone_number_id: account.phoneNumberId };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: account.wabaId ?? '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
  };
}

/**
 * A delivery of customer messages to one phone number. `contacts` gives profile names; by default each sender
 * appears once without a name.
 */
export function inboundNotification(
  options: AccountOptions & { messages: WaWireMessage[]; contacts?: { waId: string; name?: string }[] },
): WaNotification {
  const contacts: { waId: string; name?: string }[] = options.contacts ?? [...new Set(options.messages.map((m) => m.from))].map((waId) => ({ waId }));
  return notification(options, {
    contacts: contacts.map((c) => ({ ...(c.name !== undefined && { profile: { name: c.name } }), wa_id: c.waId })),
    messages: options.messages,
  });
}

/** Delivery receipts for our messages (order is not guaranteed by Meta either). */
export function statusNotification(
  options: AccountOptions & {
    statuses: { id: string; status: 'sent' | 'delivered' | 'read' | 'failed' | (string & {}); recipientId: string; timestamp?: number; errors?: GraphErrorDetail[] }[];
  },
): WaNotification {
  return notification(options, {
    statuses: options.statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)),
      recipient_id: s.recipientId,
      ...(s.errors && { errors: s.errors.map(wireError) }),
    })),
  });
}

/** Account-level errors (`value.errors`), which come with no message. */
export function accountErrorNotification(options: AccountOptions & { errors: GraphErrorDetail[] }): WaNotification {
  return notification(options, { errors: options.errors.map(wireError) });
}

/** One POST carrying every entry of `notifications` (several numbers, i.e. tenants, may share a delivery). */
export function mergeNotifications(...notifications: WaNotification[]): WaNotification {
  return { object: 'whatsapp_business_account', entry: notifications.flatMap((n) => n.entry) };
}

function wireError(e: GraphErrorDetail): Record<string, unknown> {
  return { code: e.code, title: e.title, message: e.message ?? e.title, ...(e.details !== undefined && { error_data: { details: e.details } }) };
}
