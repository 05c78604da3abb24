import type { Api } from 'grammy';
import { TransientJobError } from '../../jobs/errors.js';
import type { Job } from '../../jobs/types.js';
import type { SqlBookingStore } from '../../storage/sales-bookings-store.js';
import type { Locale } from '../../tenants/settings.js';
import { bookingKeyboard, renderBookingCard } from '../booking-card.js';
import type { DeskJobContext } from './context.js';

/**
 * Posts a booking request's card in the tenant's managers group, or, once posted, redraws it with its state (after
 * a decision the buttons go). Idempotent: a posted card is edited, never posted twice (save the one-round-trip
 * window of docs/decisions/0023, like handover cards).
 */
export async function drawBookingCard(job: Job, ctx: DeskJobContext & { bookings: SqlBookingStore }, jobSignal?: AbortSignal): Promise<void> {
  const signal = jobSignal as unknown as Parameters<Api['sendMessage']>[3];
  const tenantId = job.tenantId;
  if (tenantId === null) return;
  const booking = ctx.bookings.forCard(tenantId, Number(job.payload.bookingId));
  const tenant = ctx.store.tenant(tenantId);
  if (!booking || !tenant) return; // removed with its tenant
  const text = renderBookingCard(booking, tenant);
  const keyboard = bookingKeyboard(booking, tenant.locale as Locale);
  if (booking.cardMessageId !== null && booking.cardChatId !== null) {
    await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(booking.cardChatId!, booking.cardMessageId!, text, {
      parse_mode: 'HTML', reply_markup: keyboard ?? { inline_keyboard: [] },
    }, signal));
    return;
  }
  jobSignal?.throwIfAborted();
  const sent = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.sendMessage(chatId, text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) }, signal));
  if (!sent) throw new TransientJobError('the booking card was not posted');
  ctx.bookings.recordCard(tenantId, booking.id, sent.chat.id, sent.message_id);
  // A manager cannot have decided before the card existed, but the operator may have: draw the state it has now.
  if (ctx.bookings.forCard(tenantId, booking.id)?.state !== booking.state) {
    ctx.queue.enqueue({ kind: job.kind, tenantId, payload: { bookingId: booking.id }, concurrencyKey: `booking:${booking.id}` });
  }
}
