import { z } from 'zod';
import { WebhookPayloadError } from '../errors.js';
import type { AccountBatch, DeliveryStatus, InboundMedia, InboundMessage, StatusUpdate } from '../types.js';
import { describeContacts, describeLocation, describeOrder } from './describe-content.js';
import {
  buttonReplySchema, contactCardsSchema, DEFAULT_MIME, DELIVERY_STATUSES, editSchema, envelopeSchema, interactiveSchema, listReplySchema,
  locationSchema, MAX_MESSAGE_DEPTH, mediaSchema, messageSchema, orderSchema, quickReplySchema, reactionSchema, statusSchema, systemSchema,
  targetSchema, textSchema, valueSchema,
} from './webhook-schemas.js';

/**
 * Turns one webhook delivery into one batch per phone_number_id (a POST may mix several numbers, i.e. tenants),
 * in the order they first appear. Changes other than `messages` are ignored; unknown message types become
 * 'unsupported'. A message, status or change that cannot be read is listed in its batch's `rejected` (a change
 * without a phone_number_id in a batch with the account id ''), so one bad part never costs the others. Throws
 * WebhookPayloadError naming the path only when the body as a whole is not a WhatsApp notification.
 */
export function parseWhatsappWebhook(body: unknown): AccountBatch[] {
  const envelope = parseAt(envelopeSchema, body, 'body');
  const batches = new Map<string, AccountBatch>();
  const batchOf = (accountExternalId: string): AccountBatch => {
    let batch = batches.get(accountExternalId);
    if (!batch) {
      batch = { accountExternalId, messages: [], statuses: [], errors: [], rejected: [] };
      batches.set(accountExternalId, batch);
    }
    return batch;
  };
  envelope.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      if (change.field !== 'messages') return;
      const path = `body.entry[${e}].changes[${c}].value`;
      let value: z.output<typeof valueSchema>;
      try {
        value = parseAt(valueSchema, change.value, path);
      } catch (err) {
        const id = (change.value as { metadata?: { phone_number_id?: unknown } } | null)?.metadata?.phone_number_id;
        batchOf(typeof id === 'string' ? id : UNROUTED).rejected.push({ path, reason: (err as Error).message, providerMessageId: null });
        return;
      }
      const batch = batchOf(value.metadata.phone_number_id);
      const contacts = value.contacts ?? [];
      (value.messages ?? []).forEach((raw, m) => {
        const where = `${path}.messages[${m}]`;
        try {
          batch.messages.push(toInboundMessage(raw, where, contacts));
        } catch (err) {
          batch.rejected.push({ path: where, reason: (err as Error).message, providerMessageId: idOf(raw) });
        }
      });
      (value.statuses ?? []).forEach((raw, s) => {
        const where = `${path}.statuses[${s}]`;
        try {
          const status = toStatusUpdate(raw, where);
          if (status) batch.statuses.push(status);
        } catch (err) {
          batch.rejected.push({ path: where, reason: (err as Error).message, providerMessageId: idOf(raw) });
        }
      });
      for (const error of value.errors ?? []) batch.errors.push({ code: error.code, title: error.title ?? error.message ?? '' });
    });
  });
  return [...batches.values()];
}

/** The account id of a batch holding changes that named no phone_number_id: they can only be recorded as rejected. */
export const UNROUTED = '';

type Contacts = NonNullable<z.output<typeof valueSchema>['contacts']>;
type Content = Pick<InboundMessage, 'kind' | 'text' | 'media' | 'reaction' | 'buttonId' | 'target' | 'system'>;

function toInboundMessage(raw: unknown, path: string, contacts: Contacts): InboundMessage {
  const depth = depthOf(raw, MAX_MESSAGE_DEPTH);
  if (depth > MAX_MESSAGE_DEPTH) throw new WebhookPayloadError(`not a WhatsApp message: ${path}: nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
  const message = parseAt(messageSchema, raw, path);
  // `from` may differ from wa_id (e.g. a changed number format); with a single contact it is the sender.
  const contact = contacts.find((c) => (message.from !== undefined && c.wa_id === message.from) || (message.from_user_id !== undefined && c.user_id === message.from_user_id))
    ?? (contacts.length === 1 ? contacts[0] : undefined);
  const phone = message.from ?? contact?.wa_id ?? null;
  const userId = message.from_user_id ?? contact?.user_id ?? null;
  const from = phone ?? userId;
  if (!from) throw new WebhookPayloadError(`not a WhatsApp message: ${path}.from: no sender (neither from, from_user_id nor contacts[].wa_id/user_id)`);
  const field = (raw as Record<string, unknown>)[message.type];
  const content = toContent(message.type, field, `${path}.${message.type}`);
  return {
    providerMessageId: message.id,
    from,
    phone,
    userId,
    profileName: contact?.profile?.name || contact?.profile?.username || null,
    sentAt: message.timestamp ?? null,
    ...content,
    replyTo: message.context?.id ?? null,
    forwarded: message.context?.forwarded === true || message.context?.frequently_forwarded === true,
    raw,
  };
}

function toContent(type: string, field: unknown, path: string): Content {
  try {
    return readContent(type, field, path);
  } catch (err) {
    if (!(err instanceof WebhookPayloadError)) throw err;
    // Meta could not fully describe it (e.g. `interactive` without its object, reported in value.errors 131000):
    // kept as unsupported so the customer is asked to write, instead of losing it and its neighbours.
    return { ...nothing, kind: 'unsupported' };
  }
}

const nothing = { text: null, media: null, reaction: null } as const;

function readContent(type: string, field: unknown, path: string): Content {
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
    case 'order':
      return { ...nothing, kind: 'order', text: describeOrder(parseAt(orderSchema, field, path)) };
    case 'edit': {
      const edit = parseAt(editSchema, field, path);
      const inner = edit.message;
      const innerType = typeof inner.type === 'string' ? inner.type : 'unsupported';
      const edited = innerType === 'edit' ? { ...nothing, kind: 'unsupported' as const } : readContent(innerType, inner[innerType], `${path}.message.${innerType}`);
      return { ...edited, kind: 'edit', target: edit.original_message_id };
    }
    case 'revoke':
      return { ...nothing, kind: 'revoke', target: parseAt(targetSchema, field, path).original_message_id };
    case 'system': {
      const system = parseAt(systemSchema, field, path);
      return {
        ...nothing, kind: 'system', text: system.body ?? null,
        system: { type: system.type ?? 'unknown', newPhone: system.type === 'user_changed_number' ? system.wa_id ?? null : null, newUserId: system.type === 'user_changed_user_id' ? system.user_id ?? null : null },
      };
    }
    default:
      // 'unsupported', and any type Meta adds later: kept, not refused, so Meta does not retry it.
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

function toStatusUpdate(raw: unknown, path: string): StatusUpdate | null {
  const status = parseAt(statusSchema, raw, path);
  const recipientId = status.recipient_id ?? status.recipient_user_id;
  if (!recipientId) throw new WebhookPayloadError(`not a WhatsApp status: ${path}.recipient_id: neither recipient_id nor recipient_user_id`);
  // Meta has sent other values over time ('deleted', 'warning'); they say nothing about delivery, so skip them.
  if (!DELIVERY_STATUSES.has(status.status)) return null;
  const first = status.errors?.[0];
  return {
    providerMessageId: status.id,
    status: status.status as DeliveryStatus,
    at: status.timestamp,
    recipientId,
    error: first ? { code: first.code, title: first.title ?? first.message ?? '', detail: first.error_data?.details ?? first.message ?? null } : null,
  };
}

/** How deeply `value` nests, counted without recursion (a hostile body must not overflow the stack); stops past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return max;
}

function idOf(raw: unknown): string | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 256) : null;
}

/** Validates `value` or throws WebhookPayloadError naming the first wrong path, e.g. `body.entry[0].changes`. */
function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = path + (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new WebhookPayloadError(`not a WhatsApp notification: ${where}: ${issue?.message ?? 'invalid value'}`);
}
