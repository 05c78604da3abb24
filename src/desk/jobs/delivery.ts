import { InlineKeyboard } from 'grammy';
import type { Job } from '../../jobs/types.js';
import { reengagementCallbackData } from '../booking-card.js';
import type { Locale } from '../../tenants/settings.js';
import { deskText, escapeHtml } from '../desk-texts.js';
import type { DeskJobContext } from './context.js';

/**
 * Shows a manager the delivery state of their message to the customer: one short reply under their message,
 * edited as it goes sent → delivered → read, or failed with why and what to do.
 */
export async function showDelivery(job: Job, ctx: DeskJobContext): Promise<void> {
  const message = ctx.store.outbound(Number(job.payload.messageId));
  if (!message || message.authorKind !== 'manager' || message.deliveryStatus === 'queued') return;
  const origin = ctx.store.deskMessageFor(message.id, 'manager');
  if (!origin) return;
  const tenant = ctx.store.tenant(message.tenantId)!;
  const locale = tenant.locale as Locale;
  const windowClosed = message.deliveryStatus === 'failed' && (message.deliveryError ?? '').includes('131047');
  const held = windowClosed ? (ctx.reengagement?.isHeld(tenant.id, message.id) ?? 'no') : 'no';
  const html = held !== 'no'
    ? deskText(locale, held === 'held' ? 'delivery_held' : 'delivery_released')
    : message.deliveryStatus === 'failed'
      ? deskText(locale, 'delivery_failed', { reason: escapeHtml(failureReason(locale, message.deliveryError)) })
      : deskText(locale, `delivery_${message.deliveryStatus}`);
  // Outside the 24-hour window the manager may reopen it with one tap: the tenant's re-engagement template.
  const offer = windowClosed && held === 'no' && (ctx.reengagement?.canReengage(tenant.id) ?? false);
  const markup = offer ? { reply_markup: new InlineKeyboard().text(deskText(locale, 'btn_send_reengagement'), reengagementCallbackData(message.id)) } : {};
  const line = ctx.store.deskMessageFor(message.id, 'status');
  if (line) {
    await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(line.chatId, line.telegramMessageId, html, { parse_mode: 'HTML', reply_markup: offer ? markup.reply_markup : { inline_keyboard: [] } }));
    return;
  }
  const sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(origin.chatId, html, {
    parse_mode: 'HTML', ...markup, reply_parameters: { message_id: origin.telegramMessageId, allow_sending_without_reply: true }, ...(origin.threadId !== null ? { message_thread_id: origin.threadId } : {}),
  }));
  if (sent) ctx.store.recordDeskMessage({ tenantId: tenant.id, handoverId: message.handoverId, chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: origin.threadId, kind: 'status', messageId: message.id, now: ctx.clock() });
}

/**
 * The failure in words a manager can act on (131047: the 24-hour window; 131026: not on WhatsApp; Instagram's
 * closed window past the 7 days of the human-agent tag; a customer who blocked the tenant's Telegram bot).
 */
function failureReason(locale: Locale, error: string | null): string {
  if (error?.includes('131047')) return deskText(locale, 'failed_window');
  if (error && /on Instagram/.test(error) && /^(10|2534022) /.test(error)) return deskText(locale, 'failed_window_instagram');
  if (error?.includes('blocked the bot')) return deskText(locale, 'failed_blocked_bot');
  if (error?.includes('131026')) return deskText(locale, 'failed_undeliverable');
  if (error?.includes('190') || /token/i.test(error ?? '')) return deskText(locale, 'failed_token');
  return deskText(locale, 'failed_other', { detail: error ?? 'unknown error' });
}
