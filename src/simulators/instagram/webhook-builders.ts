import { randomBytes } from 'node:crypto';

/** A new Instagram message id, shaped like Meta's (`aWdfZAG1f…`, base64 of an opaque id). */
export function newMid(): string {
  return `aWdfZAG1fa${randomBytes(24).toString('base64url')}`;
}

export type InstagramEvent = Record<string, unknown>;

/** One customer event towards the business account `accountId` (the wire shape of PROTOCOLS.md §3). */
export function igEvent(accountId: string, from: string, body: Record<string, unknown>, at = Date.now()): InstagramEvent {
  return { sender: { id: from }, recipient: { id: accountId }, timestamp: at, ...body };
}

export const igText = (text: string, mid = newMid()) => ({ message: { mid, text } });
export const igAttachment = (type: 'image' | 'video' | 'audio' | 'file' | 'share' | 'story_mention', url: string, mid = newMid()) => ({ message: { mid, attachments: [{ type, payload: { url } }] } });
export const igStoryReply = (text: string, story: { id: string; url: string }, mid = newMid()) => ({ message: { mid, text, reply_to: { story } } });
export const igReaction = (mid: string, emoji: string | null) => ({ reaction: emoji === null ? { mid, action: 'unreact' } : { mid, action: 'react', reaction: 'love', emoji } });
export const igUnsupported = (mid = newMid()) => ({ message: { mid, is_unsupported: true } });
/** Our own send coming back (Meta echoes every message the account sends). */
export const igEcho = (accountId: string, to: string, text: string, mid = newMid()) => ({ sender: { id: accountId }, recipient: { id: to }, timestamp: Date.now(), message: { mid, text, is_echo: true } });

/** A whole delivery: the events grouped under their business account's entry. */
export function igDelivery(accountId: string, events: InstagramEvent[]): Record<string, unknown> {
  return { object: 'instagram', entry: [{ id: accountId, time: Date.now(), messaging: events }] };
}
