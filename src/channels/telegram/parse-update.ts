import type { Message, Update } from 'grammy/types';
import type { InboundKind, InboundMedia, InboundMessage } from '../types.js';

/**
 * A customer bot's update as a channel-neutral message (PROTOCOLS.md §3a), or null for what is not a customer's
 * message: anything outside private chats (groups the bot was added to), messages of bots, updates without one.
 * Message ids are unique per chat only, so a message's provider id is `chat:message`.
 */
export function parseCustomerUpdate(update: Update): InboundMessage | null {
  const edited = update.edited_message;
  const message = update.message ?? edited;
  if (!message || message.chat.type !== 'private' || !message.from || message.from.is_bot) return null;
  const from = message.from;
  const chatId = String(message.chat.id);
  const id = `${chatId}:${message.message_id}`;
  const base = {
    from: chatId, phone: null, userId: String(from.id), profileName: [from.first_name, from.last_name].filter(Boolean).join(' ') || null,
    sentAt: message.date * 1000, media: null, replyTo: message.reply_to_message ? `${chatId}:${message.reply_to_message.message_id}` : null,
    forwarded: message.forward_origin !== undefined, reaction: null, raw: update,
  };
  if (edited) return { ...base, providerMessageId: `${id}:edit:${edited.edit_date ?? 0}`, kind: 'edit', text: edited.text ?? edited.caption ?? null, target: id };
  const text = message.text ?? null;
  // /start (optionally with a deep-link payload): the customer opened the chat; the bot greets them.
  if (text !== null && /^\/start(@\w+)?(\s|$)/.test(text)) return { ...base, providerMessageId: id, kind: 'start', text: null };
  const { kind, media, described } = contentOf(message);
  return { ...base, providerMessageId: id, kind, media, text: described ?? message.caption ?? text };
}

/** The customer's Telegram @username, when they have one (shown on the card). */
export function handleOf(update: Update): string | null {
  return (update.message ?? update.edited_message)?.from?.username ?? null;
}

function contentOf(m: Message): { kind: InboundKind; media: InboundMedia | null; described?: string } {
  if (m.text !== undefined) return { kind: 'text', media: null };
  if (m.photo?.length) {
    const largest = m.photo.reduce((a, b) => ((b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a));
    return { kind: 'image', media: { id: largest.file_id, mimeType: 'image/jpeg' } };
  }
  if (m.voice) return { kind: 'voice', media: { id: m.voice.file_id, mimeType: m.voice.mime_type ?? 'audio/ogg' } };
  if (m.audio) return { kind: 'audio', media: { id: m.audio.file_id, mimeType: m.audio.mime_type ?? 'audio/mpeg', ...(m.audio.file_name ? { filename: m.audio.file_name } : {}) } };
  if (m.video) return { kind: 'video', media: { id: m.video.file_id, mimeType: m.video.mime_type ?? 'video/mp4' } };
  if (m.video_note) return { kind: 'video', media: { id: m.video_note.file_id, mimeType: 'video/mp4' } };
  if (m.document) return { kind: 'document', media: { id: m.document.file_id, mimeType: m.document.mime_type ?? 'application/octet-stream', ...(m.document.file_name ? { filename: m.document.file_name } : {}) } };
  if (m.sticker) return { kind: 'sticker', media: null, ...(m.sticker.emoji ? { described: m.sticker.emoji } : {}) };
  if (m.location) {
    const venue = m.venue ? `${[m.venue.title, m.venue.address].filter(Boolean).join(', ')} ` : '';
    return { kind: 'location', media: null, described: `📍 Location: ${venue}(${m.location.latitude}, ${m.location.longitude})` };
  }
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return { kind: 'contacts', media: null, described: `👤 Contact: ${name}, ${m.contact.phone_number.startsWith('+') ? '' : '+'}${m.contact.phone_number}` };
  }
  return { kind: 'unsupported', media: null };
}
