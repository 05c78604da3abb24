import { InputFile, type Api } from 'grammy';
import { TransientJobError } from '../../jobs/errors.js';
import type { Job } from '../../jobs/types.js';
import type { Locale } from '../../tenants/settings.js';
import { deskText, escapeHtml } from '../desk-texts.js';
import { DeskGateway } from '../telegram/gateway.js';
import type { DeskJobContext } from './context.js';

const CAPTION_LIMIT = 1024;

/**
 * Relays a customer's message into its handover's thread: text as text, photos and documents as files. Like a card
 * (post-card.ts), an abandoned attempt's calls are cancelled while they wait, and the relay is checked again right
 * before sending, so a retry never relays a message twice (beyond the one-round-trip window, decision 0023).
 */
export async function relayToDesk(job: Job, ctx: DeskJobContext, signal: AbortSignal): Promise<void> {
  const callSignal = signal as unknown as Parameters<Api['sendMessage']>[3];
  const h = ctx.store.handover(Number(job.payload.handoverId));
  const message = ctx.store.inbound(Number(job.payload.messageId));
  if (!h || !message) return;
  if (ctx.store.deskMessageFor(message.id, 'relay')) return; // relayed by an earlier attempt
  if (h.cardMessageId === null) throw new TransientJobError('the card is not posted yet; the message follows it');
  const tenant = ctx.store.tenant(h.tenantId)!;
  const locale = tenant.locale as Locale;
  const header = `<b>${deskText(locale, 'customer_says')}</b>`;
  const place = DeskGateway.placement(h);
  const chat = h.chatId ?? tenant.chatId!;

  let sent;
  if (message.media && (message.type === 'image' || message.type === 'document')) {
    const media = await ctx.channel.fetchMedia(message.channelAccountId, message.media.id, signal);
    const caption = `${header}${message.body ? `\n${escapeHtml(message.body)}` : ''}`.slice(0, CAPTION_LIMIT);
    const file = new InputFile(media.bytes, message.media.filename ?? (message.type === 'image' ? 'photo.jpg' : 'document'));
    if (ctx.store.deskMessageFor(message.id, 'relay')) return;
    sent = await ctx.gateway.call(tenant, async (): Promise<{ chat: { id: number }; message_id: number }> => (message.type === 'image'
      ? ctx.gateway.api.sendPhoto(chat, file, { caption, parse_mode: 'HTML', ...place }, callSignal)
      : ctx.gateway.api.sendDocument(chat, file, { caption, parse_mode: 'HTML', ...place }, callSignal)));
  } else if (message.type === 'revoke') {
    const deleted = message.target ? ctx.store.inboundBody(h.contactId, message.target) : null;
    const quote = deleted ? `: «${escapeHtml(deleted.slice(0, 500))}»` : '';
    sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chat, deskText(locale, 'customer_deleted', { quote }), { parse_mode: 'HTML', ...place }, callSignal));
  } else {
    const body = message.body ? escapeHtml(message.body) : deskText(locale, 'customer_sent_media', { kind: message.type });
    sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chat, `${header}\n${body}`, { parse_mode: 'HTML', ...place }, callSignal));
  }
  if (!sent) return;
  ctx.store.recordDeskMessage({ tenantId: h.tenantId, handoverId: h.id, chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: h.threadId, kind: 'relay', messageId: message.id, now: ctx.clock() });
}

/** Sends one message (an on-call alert, an owner escalation) to any chat; HTML already escaped by the caller. */
export async function notify(job: Job, ctx: DeskJobContext): Promise<void> {
  const chatId = Number(job.payload.chatId);
  const html = String(job.payload.html);
  const tenantId = job.tenantId;
  const tenant = tenantId !== null ? ctx.store.tenant(tenantId) : null;
  const options = { parse_mode: 'HTML' as const, ...(typeof job.payload.threadId === 'number' ? { message_thread_id: job.payload.threadId } : {}) };
  if (tenant && tenant.chatId === chatId) {
    await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chatId, html, options));
    return;
  }
  try {
    await ctx.gateway.api.sendMessage(chatId, html, options);
  } catch (err) {
    throw new TransientJobError(`could not send to chat ${chatId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
