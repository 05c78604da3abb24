import type { Bot } from 'grammy';
import { applyBookingDecision, type BookingDecisionDeps } from '../../sales/booking-decision.js';
import type { SqlBookingStore } from '../../storage/sales-bookings-store.js';
import type { Locale } from '../../tenants/settings.js';
import { parseBookingCallback, parseReengagementCallback } from '../booking-card.js';
import { sendReengagement, type ReengagementDeps } from '../../sales/reengagement.js';
import { deskText } from '../desk-texts.js';
import type { MembershipCache } from './membership.js';
import type { UpdateDeps } from './updates.js';

export interface BookingUpdateDeps {
  bookings: SqlBookingStore;
  decisions: BookingDecisionDeps;
  reengagement: ReengagementDeps;
}

/**
 * Confirm / Offer another time / Decline on a booking card. A press counts only from a member of the managers
 * group of the tenant the booking belongs to, pressed in that group; the first decision wins, later ones are told so.
 */
export function installBookingHandlers(bot: Bot, deps: UpdateDeps, booking: BookingUpdateDeps, members: MembershipCache): void {
  const { store, logger } = deps;
  bot.on('callback_query:data', async (ctx, next) => {
    const query = ctx.callbackQuery;
    const parsed = parseBookingCallback(query.data);
    if (!parsed) return next();
    const chatId = query.message?.chat.id;
    const tenant = chatId !== undefined ? store.tenantByChat(chatId) : null;
    if (!tenant || chatId === undefined || booking.bookings.tenantOf(parsed.bookingId) !== tenant.id) {
      logger.warn({ chat: chatId, user: query.from.id, data: query.data }, 'a booking button pressed outside its tenant\'s managers chat was ignored');
      await ctx.answerCallbackQuery({ text: 'This button is not for this chat.' }).catch(() => undefined);
      return;
    }
    const locale = tenant.locale as Locale;
    if (!(await members.isMember(chatId, query.from.id))) {
      logger.warn({ tenant: tenant.slug, user: query.from.id, booking: parsed.bookingId }, 'a booking button press from someone who is not in the managers chat was refused');
      await ctx.answerCallbackQuery({ text: deskText(locale, 'not_member'), show_alert: true }).catch(() => undefined);
      return;
    }
    const from = query.from;
    const name = [from.first_name, from.last_name].filter(Boolean).join(' ').trim() || from.username || String(from.id);
    const result = applyBookingDecision(booking.decisions, tenant.id, parsed.bookingId, parsed.decision, { kind: 'manager', id: from.id, name });
    const text = deskText(locale, result.ok ? 'booking_decided_ok' : 'booking_already_decided');
    await ctx.answerCallbackQuery({ text }).catch((err: unknown) => logger.debug({ err }, 'callback answer failed'));
  });

  // "Send the re-engagement template" under a manager's message refused with 131047.
  bot.on('callback_query:data', async (ctx, next) => {
    const query = ctx.callbackQuery;
    const messageId = parseReengagementCallback(query.data);
    if (messageId === null) return next();
    const chatId = query.message?.chat.id;
    const tenant = chatId !== undefined ? store.tenantByChat(chatId) : null;
    const message = store.outbound(messageId);
    if (!tenant || chatId === undefined || !message || message.tenantId !== tenant.id) {
      await ctx.answerCallbackQuery({ text: 'This button is not for this chat.' }).catch(() => undefined);
      return;
    }
    const locale = tenant.locale as Locale;
    if (!(await members.isMember(chatId, query.from.id))) {
      await ctx.answerCallbackQuery({ text: deskText(locale, 'not_member'), show_alert: true }).catch(() => undefined);
      return;
    }
    const result = sendReengagement(booking.reengagement, tenant.id, messageId, query.from.first_name);
    const key = result.ok ? 'reengagement_sent_ok' : result.reason === 'no_template' ? 'reengagement_no_template' : 'reengagement_already';
    await ctx.answerCallbackQuery({ text: deskText(locale, key, { slug: tenant.slug }).slice(0, 200) }).catch((err: unknown) => logger.debug({ err }, 'callback answer failed'));
  });
}
