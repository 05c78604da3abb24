import { z } from 'zod';
import { WebhookPayloadError } from '../errors.js';
import type { AccountBatch, InboundKind, InboundMessage, RejectedPart } from '../types.js';

/*
 * Wire schema of Instagram messaging webhooks (PROTOCOLS.md §3). `entry.id` is the business's Instagram account
 * id: deliveries are routed by it. `sender.id` is the customer's Instagram-scoped id (IGSID). Our own sends come
 * back as echoes (`is_echo`) and are dropped; read receipts are not messages. What every message needs to be stored
 * once is its `mid` and sender; the rest is tolerant, so an event Meta describes oddly is kept as 'unsupported'.
 */

const envelopeSchema = z.object({
  object: z.literal('instagram'),
  entry: z.array(z.object({ id: z.string().min(1), messaging: z.array(z.unknown()).optional() })),
});

const attachmentSchema = z.object({
  type: z.string(),
  payload: z.object({ url: z.string().optional(), title: z.string().optional() }).passthrough().optional().catch(undefined),
});

const eventSchema = z.object({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  timestamp: z.number().optional().catch(undefined),
  message: z.object({
    mid: z.string().min(1),
    text: z.string().optional().catch(undefined),
    attachments: z.array(attachmentSchema.catch({ type: 'unknown' })).optional().catch(undefined),
    reply_to: z.object({ mid: z.string().optional(), story: z.object({ url: z.string().optional(), id: z.string().optional() }).optional() }).optional().catch(undefined),
    is_echo: z.boolean().optional().catch(undefined),
    is_deleted: z.boolean().optional().catch(undefined),
    is_unsupported: z.boolean().optional().catch(undefined),
  }).optional(),
  reaction: z.object({ mid: z.string().min(1), action: z.enum(['react', 'unreact']), emoji: z.string().optional(), reaction: z.string().optional() }).optional(),
  read: z.unknown().optional(),
});

type Event = z.output<typeof eventSchema>;

const MEDIA_KINDS: Record<string, InboundKind> = { image: 'image', video: 'video', audio: 'audio', file: 'document' };

/** Parses one Instagram delivery into one batch per business account; throws WebhookPayloadError when it is not one. */
export function parseInstagramWebhook(body: unknown): AccountBatch[] {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    throw new WebhookPayloadError(`not an Instagram messaging delivery: body.${issue.path.join('.')}: ${issue.message}`);
  }
  const batches = new Map<string, AccountBatch>();
  envelope.data.entry.forEach((entry, e) => {
    const batch = batches.get(entry.id) ?? { accountExternalId: entry.id, messages: [], statuses: [], errors: [], rejected: [] };
    batches.set(entry.id, batch);
    (entry.messaging ?? []).forEach((raw, i) => {
      const path = `body.entry[${e}].messaging[${i}]`;
      const parsed = eventSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        batch.rejected.push(rejection(path, `${issue.path.join('.') || 'event'}: ${issue.message}`, raw));
        return;
      }
      const message = toInbound(parsed.data, entry.id, raw);
      if (message) batch.messages.push(message);
    });
  });
  return [...batches.values()];
}

function rejection(path: string, reason: string, raw: unknown): RejectedPart {
  const mid = (raw as { message?: { mid?: unknown } } | null)?.message?.mid;
  return { path, reason, providerMessageId: typeof mid === 'string' ? mid : null };
}

/** One event as a channel-neutral message, or null for what is not a customer's message (echoes, reads). */
function toInbound(event: Event, accountId: string, raw: unknown): InboundMessage | null {
  // The business's own sends (ours, or a person's in the Instagram app) come back as echoes from the account.
  if (event.sender.id === accountId || event.message?.is_echo) return null;
  const base = {
    from: event.sender.id, phone: null, userId: event.sender.id, profileName: null, sentAt: event.timestamp ?? null,
    media: null, replyTo: null, forwarded: false, reaction: null, raw,
  };
  if (event.reaction) {
    const emoji = event.reaction.action === 'react' ? (event.reaction.emoji ?? event.reaction.reaction ?? null) : null;
    // A reaction has no mid of its own: it is one per customer and message, so its id is derived from both.
    return { ...base, providerMessageId: `${event.reaction.mid}:reaction:${emoji ?? 'none'}`, kind: 'reaction', text: null, reaction: { messageId: event.reaction.mid, emoji } };
  }
  const message = event.message;
  if (!message) return null; // read receipts and other notices
  const id = message.mid;
  if (message.is_deleted) return { ...base, providerMessageId: `${id}:deleted`, kind: 'revoke', text: null, target: id };
  const replyTo = message.reply_to?.mid ?? null;
  const story = message.reply_to?.story;
  if (message.is_unsupported) return { ...base, providerMessageId: id, kind: 'unsupported', text: null, replyTo };
  const attachment = message.attachments?.[0];
  if (attachment) {
    const url = attachment.payload?.url ?? null;
    if (attachment.type === 'story_mention') {
      return { ...base, providerMessageId: id, kind: 'unsupported', text: `📣 Mentioned the business in a story${url ? `: ${url}` : ''}`, replyTo };
    }
    if (attachment.type === 'share' || attachment.type === 'ig_reel' || attachment.type === 'reel') {
      return { ...base, providerMessageId: id, kind: 'text', text: [message.text, `🔗 Shared a post${url ? `: ${url}` : ''}`].filter(Boolean).join('\n'), replyTo };
    }
    const kind = MEDIA_KINDS[attachment.type];
    if (kind && url) {
      // Instagram gives a CDN URL, not a media id: the adapter downloads it by URL (src/channels/instagram/instagram-channel.ts).
      return { ...base, providerMessageId: id, kind, text: message.text ?? null, media: { id: url, mimeType: mimeOf(attachment.type) }, replyTo };
    }
    return { ...base, providerMessageId: id, kind: 'unsupported', text: message.text ?? null, replyTo };
  }
  const storyNote = story ? `↩️ Replied to a story${story.url ? ` (${story.url})` : ''}` : null;
  const text = [storyNote, message.text].filter((part) => part && part.trim()).join('\n') || null;
  return { ...base, providerMessageId: id, kind: text ? 'text' : 'unsupported', text, replyTo };
}

function mimeOf(type: string): string {
  if (type === 'image') return 'image/jpeg';
  if (type === 'video') return 'video/mp4';
  if (type === 'audio') return 'audio/mp4';
  return 'application/octet-stream';
}
