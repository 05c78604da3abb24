import { z } from 'zod';
import type { DeliveryStatus } from '../types.js';

/*
 * Wire schemas of the WhatsApp Cloud API notification (docs/PROTOCOLS.md §1). What we need to store a message once
 * and route it is required; what we merely show is optional or tolerant, so a field Meta drops or adds never loses a
 * customer's message. Unknown keys are ignored (zod strips them; `raw` keeps them).
 */

// Meta sends Unix seconds as a string; a number is tolerated. Converted to epoch ms.
export const unixSeconds = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(/^\d{1,12}$/, 'expected Unix seconds as a string of digits'))
  .transform((v) => Number(v) * 1000);

export const envelopeSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});

export const graphErrorSchema = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
});

export const valueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  // Tolerant: a contact only names the sender; a broken one must not cost the messages next to it.
  contacts: z
    .array(z.object({
      profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional().catch(undefined),
      wa_id: z.string().optional().catch(undefined),
      user_id: z.string().optional().catch(undefined),
    }).catch({}))
    .optional()
    .catch(undefined),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(graphErrorSchema.catch({ code: 0, title: 'unreadable error' })).optional().catch(undefined),
});

// What every message must carry to be stored once and answered: its id (duplicates drop out by it) and a sender.
// The rest is tolerant: a message Meta could not fully describe is kept as 'unsupported', never refused.
export const messageSchema = z.object({
  id: z.string().min(1),
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  timestamp: unixSeconds.optional().catch(undefined),
  type: z.string().min(1),
  // Tolerant: context only adds the quoted id and the forwarded flag, never worth refusing a message over.
  context: z
    .object({ id: z.string().optional(), forwarded: z.boolean().optional(), frequently_forwarded: z.boolean().optional() })
    .optional()
    .catch(undefined),
});

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  // A customer with a username may have no phone number: then only recipient_user_id names them.
  recipient_id: z.string().min(1).optional(),
  recipient_user_id: z.string().min(1).optional(),
  errors: z.array(graphErrorSchema).optional(),
});

export const mediaSchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});
export const textSchema = z.object({ body: z.string() });
export const locationSchema = z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() });
export const contactCardsSchema = z.array(
  z.object({
    name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional().catch(undefined),
    phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional().catch(undefined),
  }),
).catch([]);
export const interactiveSchema = z.object({ type: z.string() });
export const buttonReplySchema = z.object({ id: z.string(), title: z.string() });
export const listReplySchema = z.object({ id: z.string(), title: z.string(), description: z.string().optional() });
export const quickReplySchema = z.object({ payload: z.string().optional(), text: z.string() });
export const reactionSchema = z.object({ message_id: z.string().min(1), emoji: z.string().optional() });
export const targetSchema = z.object({ original_message_id: z.string().min(1) });
export const editSchema = targetSchema.extend({ message: z.record(z.string(), z.unknown()) });
export const orderSchema = z.object({
  catalog_id: z.string().optional().catch(undefined),
  text: z.string().optional().catch(undefined),
  product_items: z.array(z.object({
    product_retailer_id: z.string().catch('?'),
    quantity: z.union([z.number(), z.string()]).optional().catch(undefined),
    item_price: z.union([z.number(), z.string()]).optional().catch(undefined),
    currency: z.string().optional().catch(undefined),
  })).catch([]),
});
export const systemSchema = z.object({
  type: z.string().optional().catch(undefined),
  body: z.string().optional().catch(undefined),
  wa_id: z.string().optional().catch(undefined),
  user_id: z.string().optional().catch(undefined),
});
/** Deeper than any real message (the deepest, an edit of an interactive reply, is under 10). */
export const MAX_MESSAGE_DEPTH = 32;

export const DELIVERY_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);
// Used only when Meta omits mime_type, so the media can still be fetched and labelled.
export const DEFAULT_MIME: Record<string, string> = {
  image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg', document: 'application/octet-stream', sticker: 'image/webp',
};
