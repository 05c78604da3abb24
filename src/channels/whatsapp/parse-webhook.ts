import { z } from 'zod';
import { WebhookPayloadError } from '../errors.js';
import type { AccountBatch, DeliveryStatus, InboundMedia, InboundMessage, StatusUpdate } from '../types.js';

/*
 * Wire schemas of the WhatsApp Cloud API notification (docs/PROTOCOLS.md §1). What we need is required, so a
 * broken delivery is refused with the exact path; what we merely show is optional or tolerant, so a field Meta
 * drops or adds never loses a customer's message. Unknown keys are ignored (zod strips them; `raw` keeps them).
 */

// Meta sends Unix seconds as a string; a number is tolerated. Converted to epoch ms.
const unixSeconds = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(/^\d{1,12}$/, 'expected Unix seconds as a string of digits'))
  .transform((v) => Number(v) * 1000);

const envelopeSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});

const graphErrorSchema = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
});

const valueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  contacts: z.array(z.object({ profile: z.object({ name: z.string().optional() }).optional(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(graphErrorSchema).optional(),
});

const messageSchema = z.object({
  id: z.string().min(1),
  from: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().min(1),
  // Tolerant: context only adds the quoted id and the forwarded flag, never worth refusing a message over.
  context: z
    .object({ id: z.string().optional(), forwarded: z.boolean().optional(), frequently_forwarded: z.boolean().optional() })
    .optional()
    .catch(undefined),
});

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  recipient_id: z.string().min(1),
  errors: z.array(graphErrorSchema).optional(),
});

const mediaSchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});
const textSchema = z.object({ body: z.string() });
const locationSchema = z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() });
const contactCardsSchema = z.array(
  z.object({
    name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional().catch(undefined),
    phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional().catch(undefined),
  }),
).catch([]);
const interactiveSchema = z.object({ type: z.string() });
const buttonReplySchema = z.object({ id: z.string(), title: z.string() });
const listReplySchema = z.object({ id: z.string(), title: z.string(), description: z.string().optional() });
const quickReplySchema = z.object({ payload: z.string().optional(), text: z.string() });
const reactionSchema = z.object({ message_id: z.string().min(1), emoji: z.string().optional() });

const DELIVERY_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);
// Used only when Meta omits mime_type, so the media can still be fetched and labelled.
const DEFAULT_MIME: Record<string, string> = {
  image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg', document: 'application/octet-stream', sticker: 'image/webp',
};

/**
 * Turns one webhook delivery into one batch per phone_number_id (a POST may mix several numbers, i.e. tenants),
 * in the order they first appear. Changes other than `messages` are ignored; unknown message types become
 * 'unsupported'. Throws WebhookPayloadError naming the path when the body is not a WhatsApp notification.
 */
export function parseWhatsappWebhook(body: unknown): AccountBatch[] {
  const envelope = parseAt(envelopeSchema, body, 'body');
  const batches = new Map<string, AccountBatch>();
  envelope.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      if (change.field !== 'messages') return;
      const path = `body.entry[${e}].changes[${c}].value`;
      const value = parseAt(valueSchema, change.value, path);
      const accountExternalId = value.metadata.phone_number_id;
      let batch = batches.get(accountExternalId);
      if (!batch) {
        batch = { accountExternalId, messages: [], statuses: [], errors: [] };
        batches.set(accountExternalId, batch);
      }
      const contacts = value.contacts ?? [];
      (value.messages ?? []).forEach((raw, m) => batch.messages.push(toInboundMessage(raw, `${path}.messages[${m}]`, contacts)));
      (value.statuses ?? []).forEach((raw, s) => {
        const status = toStatusUpdate(raw, `${path}.statuses[${s}]`);
        if (status) batch.statuses.push(status);
      });
      for (const error of value.errors ?? []) batch.errors.push({ code: error.code, title: error.title ?? error.message ?? '' });
    });
  });
  return [...batches.values()];
}

type Contacts = NonNullable<z.output<typeof valueSchema>['contacts']>;
type Content = Pick<InboundMessage, 'kind' | 'text' | 'media' | 'reaction' | 'buttonId'>;

function toInboundMessage(raw: unknown, path: string, contacts: Contacts): InboundMessage {
  const message = parseAt(messageSchema, raw, path);
  // `from` may differ from wa_id (e.g. a changed number format); with a single contact it is the sender.
  const contact = contacts.find((c) => c.wa_id === message.from) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const field = (raw as Record<string, unknown>)[message.type];
  const content = toContent(message.type, field, `${path}.${message.type}`);
  return {
    providerMessageId: message.id,
    from: message.from,
    profileName: contact?.profile?.name || null,
    sentAt: message.timestamp,
    ...content,
    replyTo: message.context?.id ?? null,
    forwarded: message.context?.forwarded === true || message.context?.frequently_forwarded === true,
    raw,
  };
}

const nothing = { text: null, media: null, reaction: null } as const;

function toContent(type: string, field: unknown, path: string): Content {
  switch (type) {
    case 'text':
      return { ...nothing, kind: 'text', text: parseAt(textSchema, field, path).body };
    case 'image':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = parseAt(mediaSchema, field, path);
      return { ...nothing, kind: type, text: media.caption ?? null, media: toMedia(media, type) };
    }
    case 'audio': {
      const media = parseAt(mediaSchema, field, path);
      const mime = media.mime_type ?? '';
      // Voice notes are recorded in-app as ogg/opus; forwarded files keep voice:false.
      const voice = media.voice === true || (/^audio\/ogg\b/i.test(mime) && /opus/i.test(mime));
      return { ...nothing, kind: voice ? 'voice' : 'audio', media: toMedia(media, type) };
    }
    case 'location':
      return { ...nothing, kind: 'location', text: describeLocation(parseAt(locationSchema, field, path)) };
    case 'contacts':
      return { ...nothing, kind: 'contacts', text: describeContacts(parseAt(contactCardsSchema, field, path)) };
    case 'interactive':
      return interactiveContent(field, path);
    case 'button': {
      const button = parseAt(quickReplySchema, field, path);
      return { ...nothing, kind: 'quick_reply', text: button.text, ...(button.payload !== undefined && { buttonId: button.payload }) };
    }
    case 'reaction': {
      const reaction = parseAt(reactionSchema, field, path);
      // No emoji (or an empty one) means the customer removed their reaction.
      return { ...nothing, kind: 'reaction', reaction: { messageId: reaction.message_id, emoji: reaction.emoji || null } };
    }
    default:
      // 'unsupported' (e.g. edits), and any type Meta adds later: kept, not refused, so Meta does not retry it.
      return { ...nothing, kind: 'unsupported' };
  }
}

function interactiveContent(field: unknown, path: string): Content {
  const interactive = parseAt(interactiveSchema, field, path);
  const inner = (field as Record<string, unknown>)[interactive.type];
  if (interactive.type === 'button_reply') {
    const reply = parseAt(buttonReplySchema, inner, `${path}.button_reply`);
    return { ...nothing, kind: 'button_reply', text: reply.title, buttonId: reply.id };
  }
  if (interactive.type === 'list_reply') {
    const reply = parseAt(listReplySchema, inner, `${path}.list_reply`);
    const text = reply.description ? `${reply.title} — ${reply.description}` : reply.title;
    return { ...nothing, kind: 'list_reply', text, buttonId: reply.id };
  }
  return { ...nothing, kind: 'unsupported' }; // e.g. flow replies (nfm_reply), not used by botctl
}

function toMedia(media: z.output<typeof mediaSchema>, type: string): InboundMedia {
  return {
    id: media.id,
    mimeType: media.mime_type ?? DEFAULT_MIME[type] ?? 'application/octet-stream',
    ...(media.sha256 !== undefined && { sha256: media.sha256 }),
    ...(media.filename !== undefined && { filename: media.filename }),
  };
}

/** Shown to the LLM, so plain English words around the customer's own values. */
function describeLocation(location: z.output<typeof locationSchema>): string {
  const place = [location.name, location.address].filter((part) => part && part.trim()).join(', ');
  return `📍 Location: ${place ? `${place} ` : ''}(${location.latitude}, ${location.longitude})`;
}

function describeContacts(cards: z.output<typeof contactCardsSchema>): string {
  if (cards.length === 0) return 'Contact card: (empty)';
  return cards
    .map((card) => {
      const name = card.name?.formatted_name || [card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ') || '(no name)';
      const phones = (card.phones ?? []).map((p) => p.phone || (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean);
      return `Contact card: ${name} ${phones.length > 0 ? phones.join(', ') : '(no phone)'}`;
    })
    .join('\n');
}

function toStatusUpdate(raw: unknown, path: string): StatusUpdate | null {
  const status = parseAt(statusSchema, raw, path);
  // Meta has sent other values over time ('deleted', 'warning'); they say nothing about delivery, so skip them.
  if (!DELIVERY_STATUSES.has(status.status)) return null;
  const first = status.errors?.[0];
  return {
    providerMessageId: status.id,
    status: status.status as DeliveryStatus,
    at: status.timestamp,
    recipientId: status.recipient_id,
    error: first ? { code: first.code, title: first.title ?? first.message ?? '', detail: first.error_data?.details ?? first.message ?? null } : null,
  };
}

/** Validates `value` or throws WebhookPayloadError naming the first wrong path, e.g. `body.entry[0].changes`. */
function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = path + (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new WebhookPayloadError(`not a WhatsApp notification: ${where}: ${issue?.message ?? 'invalid value'}`);
}
