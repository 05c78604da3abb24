import type { Bot, Context } from 'grammy';
import { JOB } from '../../conversation/job-kinds.js';
import type { LearningService, Outcome, Person } from '../../learning/learning-service.js';
import type { LearningStore } from '../../storage/learning-store.js';
import type { Locale } from '../../tenants/settings.js';
import { deskText } from '../desk-texts.js';
import { parseLearnData, type LearnAction } from '../learning-card.js';
import type { MembershipCache } from './membership.js';
import type { UpdateDeps } from './updates.js';

export interface LearningUpdateDeps {
  service: LearningService;
  store: LearningStore;
}

const OK_TEXT: Record<Exclude<LearnAction, 'save'>, string> = {
  teach: 'learn_drafting', edit: 'learn_edit_ok', discard: 'learn_discarded_ok', approve: 'learn_approved_ok', reject: 'learn_rejected_ok',
};

/**
 * Learning in the managers group: Teach on a card, Save / Edit / Discard on a draft, Approve / Reject on a waiting
 * entry or a digest, and a manager's reply to a draft they are editing. A press counts only from a member of the
 * group of the tenant the draft belongs to, in that group; anything else is answered and does nothing.
 */
export function installLearningHandlers(bot: Bot, deps: UpdateDeps, learning: LearningUpdateDeps, members: MembershipCache): void {
  const { store, logger } = deps;

  bot.on('callback_query:data', async (ctx, next) => {
    const query = ctx.callbackQuery;
    const parsed = parseLearnData(query.data);
    if (!parsed) return next();
    const chatId = query.message?.chat.id;
    // The tenant is the one whose managers chat this is; the handover or item must be that tenant's.
    const tenant = chatId !== undefined ? store.tenantByChat(chatId) : null;
    const handover = parsed.action === 'teach' ? store.handover(parsed.id) : null;
    const mine = tenant !== null && (parsed.action === 'teach'
      ? handover !== null && handover.tenantId === tenant.id && chatId === (handover.chatId ?? tenant.chatId)
      : learning.store.item(tenant.id, parsed.id) !== null);
    if (!tenant || chatId === undefined || !mine) {
      logger.warn({ chat: chatId, user: query.from.id, data: query.data }, 'a learning button pressed outside its tenant\'s managers chat was ignored');
      // Answered in the language of the chat it was pressed in (another tenant's group, or none).
      await ctx.answerCallbackQuery({ text: deskText((tenant?.locale ?? 'en') as Locale, 'learn_not_here') }).catch(() => undefined);
      return;
    }
    const locale = tenant.locale as Locale;
    if (!(await members.isMember(chatId, query.from.id))) {
      logger.warn({ tenant: tenant.slug, user: query.from.id, data: query.data }, 'a learning button press from someone who is not in the managers chat was refused');
      await ctx.answerCallbackQuery({ text: deskText(locale, 'not_member'), show_alert: true }).catch(() => undefined);
      return;
    }
    const person: Person = { id: query.from.id, name: nameOf(query.from), operator: false };
    const target = { id: tenant.id, slug: tenant.slug, ownerChatId: tenant.ownerChatId };
    let result: Outcome<{ status?: 'live' | 'pending' }>;
    switch (parsed.action) {
      case 'teach': result = learning.service.teach(target, parsed.id, person, { chatId, threadId: handover?.threadId ?? null }); break;
      case 'save': result = learning.service.save(target, parsed.id, person); break;
      case 'edit': result = learning.service.edit(target, parsed.id, person); break;
      case 'discard': result = learning.service.discard(target, parsed.id, person); break;
      case 'approve': result = learning.service.approve(target, parsed.id, person); break;
      case 'reject': result = learning.service.reject(target, parsed.id, person); break;
    }
    const key = result.ok
      ? parsed.action === 'save' ? (result.status === 'pending' ? 'learn_submitted_ok' : 'learn_saved_ok') : OK_TEXT[parsed.action]
      : `learn_${result.reason === 'missing' ? 'wrong_state' : result.reason === 'empty' || result.reason === 'customer_details' ? 'wrong_state' : result.reason}`;
    const approverWord = deskText(locale, learning.store.settings(tenant.id).approverId === null ? 'learn_no_approver' : 'learn_approver');
    const text = deskText(locale, key, { approver: approverWord });
    await ctx.answerCallbackQuery({ text: text.slice(0, 200), ...(result.ok ? {} : { show_alert: result.reason === 'not_approver' }) }).catch((err: unknown) => logger.debug({ err }, 'callback answer failed'));
  });

  // A reply to a draft being edited is its corrected text, never a message to the customer.
  bot.on('message', async (ctx: Context, next) => {
    const message = ctx.message!;
    const replyTo = message.reply_to_message?.message_id;
    if (replyTo === undefined || !message.from || message.from.is_bot) return next();
    const tenant = store.tenantByChat(message.chat.id);
    const item = tenant ? learning.store.itemByMessage(tenant.id, message.chat.id, replyTo) : null;
    if (!tenant || !item) return next();
    if (item.status !== 'editing') return; // a reply to a draft that is not being edited goes nowhere
    const person: Person = { id: message.from.id, name: nameOf(message.from), operator: false };
    const result = learning.service.correct({ id: tenant.id, slug: tenant.slug, ownerChatId: tenant.ownerChatId }, item.id, person, message.text ?? message.caption ?? '');
    if (!result.ok && result.reason === 'customer_details') {
      const threadId = message.is_topic_message ? message.message_thread_id : undefined;
      deps.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: message.chat.id, html: deskText(tenant.locale as Locale, 'learn_details_left'), ...(threadId !== undefined ? { threadId } : {}) } });
    }
  });
}

function nameOf(from: { id: number; first_name: string; last_name?: string; username?: string }): string {
  return [from.first_name, from.last_name].filter(Boolean).join(' ').trim() || from.username || String(from.id);
}
