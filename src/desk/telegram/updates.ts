import type { Bot, Context } from 'grammy';
import type { DeskActions, Manager } from '../../conversation/desk-actions.js';
import { JOB } from '../../conversation/job-kinds.js';
import type { JobEnqueuer, OutboundMedia } from '../../conversation/ports.js';
import type { Logger } from '../../observability/logger.js';
import type { DeskStore } from '../../storage/desk-store.js';
import type { Locale } from '../../tenants/settings.js';
import { parseCallbackData } from '../card.js';
import { deskText } from '../desk-texts.js';
import { answerCommand } from './commands.js';
import { answerDashboardCommand, type DashboardLinkPort } from './dashboard-command.js';
import type { DeskGateway } from './gateway.js';
import { installLearningHandlers, type LearningUpdateDeps } from './learning-updates.js';
import { installBookingHandlers, type BookingUpdateDeps } from './booking-updates.js';
import { MembershipCache } from './membership.js';

export interface UpdateDeps {
  store: DeskStore;
  actions: DeskActions;
  gateway: DeskGateway;
  queue: JobEnqueuer;
  clock: () => number;
  logger: Logger;
  /** Teach, drafts and approvals (learning-updates.ts); absent: the cards have no Teach button to press. */
  learning?: LearningUpdateDeps;
  /** One-time dashboard links for `/dashboard`; without it the command is ignored (no BOTCTL_PUBLIC_URL wiring). */
  dashboard?: DashboardLinkPort;
  /** Confirm / Offer another time / Decline on booking cards (booking-updates.ts). */
  booking?: BookingUpdateDeps;
}

function managerOf(from: { id: number; first_name: string; last_name?: string; username?: string }): Manager {
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ').trim() || from.username || String(from.id);
  return { id: from.id, name };
}

/**
 * The desk's side of Telegram: button presses, managers' messages, group commands, and the bot's own membership.
 * An update already handled (a redelivery after a restart) is skipped; a manager's reply is recorded as handled
 * in the same transaction that stores it, so it reaches the customer exactly once.
 */
export function installUpdateHandlers(bot: Bot, deps: UpdateDeps): void {
  const { store, actions, clock, logger } = deps;
  const members = new MembershipCache(bot.api, clock);

  bot.use(async (ctx, next) => {
    if (store.updateHandled(ctx.update.update_id)) return;
    await next();
    store.claimUpdate(ctx.update.update_id, clock());
  });

  if (deps.learning) installLearningHandlers(bot, deps, deps.learning, members);
  if (deps.booking) installBookingHandlers(bot, deps, deps.booking, members);

  bot.on('callback_query:data', async (ctx) => {
    const query = ctx.callbackQuery;
    const parsed = parseCallbackData(query.data);
    const h = parsed ? store.handover(parsed.handoverId) : null;
    const tenant = h ? store.tenant(h.tenantId) : null;
    const chatId = query.message?.chat.id;
    if (!parsed || !h || !tenant || chatId === undefined || chatId !== (h.chatId ?? tenant.chatId)) {
      await ctx.answerCallbackQuery({ text: 'This button is not for this chat.' }).catch(() => undefined);
      return;
    }
    const locale = tenant.locale as Locale;
    const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
    if (!(await members.isMember(chatId, query.from.id))) {
      logger.warn({ tenant: tenant.slug, user: query.from.id, handover: h.id }, 'a button press from someone who is not in the managers chat was refused');
      await ctx.answerCallbackQuery({ text: t('not_member'), show_alert: true }).catch(() => undefined);
      return;
    }
    const manager = managerOf(query.from);
    const result = parsed.action === 'take' || parsed.action === 'takeover'
      ? actions.take(h.id, manager, { takeOver: parsed.action === 'takeover' })
      : parsed.action === 'resolve' ? actions.resolve(h.id, manager) : actions.release(h.id, manager);
    const text = result.ok
      ? t(parsed.action === 'resolve' ? 'resolved_ok' : parsed.action === 'release' ? 'released_ok' : 'taken_ok', { number: h.number })
      : result.reason === 'already_taken' ? t('already_taken', { manager: result.by ?? '?' })
        : result.reason === 'not_assignee' ? t('only_assignee_release', { manager: result.by ?? '?' })
          : result.reason === 'not_taken' ? t('not_taken') : t('already_resolved');
    await ctx.answerCallbackQuery({ text: text.slice(0, 200) }).catch((err: unknown) => logger.debug({ err }, 'callback answer failed'));
  });

  bot.on('my_chat_member', (ctx) => {
    const tenant = store.tenantByChat(ctx.chat.id);
    if (!tenant) return;
    const status = ctx.myChatMember.new_chat_member.status;
    if (status === 'left' || status === 'kicked') deps.gateway.flag(tenant, 'removed', `the bot was ${status === 'kicked' ? 'removed' : 'left'} by ${ctx.myChatMember.from.first_name}`);
    else if ((status === 'member' || status === 'administrator') && store.setTelegramStatus(tenant.id, 'ok', null, clock())) {
      deps.gateway.alert(`✅ ${tenant.name} (${tenant.slug}): the bot is back in the managers chat.`);
    }
  });

  // Needs 'chat_member' in allowed_updates (desk.ts); Telegram sends it to a bot that is an administrator.
  bot.on('chat_member', (ctx) => {
    const update = ctx.chatMember;
    const member = update.new_chat_member;
    members.learn(update.chat.id, member.user.id, member.status, 'is_member' in member ? member.is_member : false);
    logger.debug({ chat: update.chat.id, user: member.user.id, status: member.status }, 'managers chat membership changed');
  });

  bot.on('message', async (ctx: Context) => {
    const message = ctx.message!;
    if (message.from?.is_bot) return;
    if (deps.dashboard && /^\/dashboard(?:@\w+)?(?:\s|$)/i.test((message.text ?? '').trim())) {
      await answerDashboardCommand(message, { api: ctx.api, botUsername: ctx.me.username, links: deps.dashboard, members, queue: deps.queue, clock, logger });
      return;
    }
    if (message.chat.type !== 'group' && message.chat.type !== 'supergroup') return;
    const tenant = store.tenantByChat(message.chat.id);
    if (!tenant || !message.from) return;
    // Every manager action checks membership, not only buttons: a public group may let non-members write, and a
    // removed manager's message may still arrive.
    const fromMember = async () => {
      if (await members.isMember(message.chat.id, message.from!.id)) return true;
      logger.warn({ tenant: tenant.slug, user: message.from!.id }, 'a message from someone who is not in the managers chat was ignored');
      return false;
    };
    const text = message.text ?? message.caption ?? '';
    if (text.startsWith('/')) {
      if (await fromMember()) answerCommand(text, message, tenant, managerOf(message.from), deps);
      return;
    }
    const threadId = message.is_topic_message ? (message.message_thread_id ?? null) : null;
    const find = () => store.handoverForMessage(message.chat.id, message.reply_to_message?.message_id ?? null, threadId);
    // A reply to a card that Telegram has shown but whose job has not recorded it yet (the one round trip between
    // the send and its commit): wait for the record instead of dropping the manager's words.
    const h = find() ?? (message.reply_to_message?.from?.id === ctx.me.id ? await recorded(find, clock) : null);
    if (!h || !(await fromMember())) return;
    const file = fileOf(message);
    if (!text.trim() && !file) return; // stickers, polls…: nothing a customer can receive
    const manager = managerOf(message.from);
    store.transaction(() => {
      store.claimUpdate(ctx.update.update_id, clock());
      const result = actions.managerReply(h.id, manager, text, file ?? undefined);
      if (result.ok) {
        store.recordDeskMessage({ tenantId: tenant.id, handoverId: h.id, chatId: message.chat.id, telegramMessageId: message.message_id, threadId, kind: 'manager', messageId: result.messageId, now: clock() });
      } else {
        const key = result.reason === 'already_taken' ? 'already_taken' : 'already_resolved';
        deps.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: message.chat.id, html: deskText(tenant.locale as Locale, key, { manager: result.by ?? '?' }), ...(threadId !== null ? { threadId } : {}) } });
      }
    });
  });
}

/** Polls `find` for up to 3 s (every 50 ms): a card's row lands a few milliseconds after Telegram shows the card. */
async function recorded<T>(find: () => T | null, clock: () => number): Promise<T | null> {
  const until = clock() + 3000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const found = find();
    if (found !== null || clock() > until) return found;
  }
}

/** A photo (its largest size) or a document a manager posted, to be fetched by the send job. */
function fileOf(message: NonNullable<Context['message']>): { type: 'image' | 'document'; media: OutboundMedia } | null {
  const photo = message.photo?.at(-1);
  if (photo) return { type: 'image', media: { source: 'telegram', fileId: photo.file_id, filename: 'photo.jpg', mimeType: 'image/jpeg' } };
  const document = message.document;
  if (document) {
    return { type: 'document', media: { source: 'telegram', fileId: document.file_id, filename: document.file_name ?? 'document', mimeType: document.mime_type ?? 'application/octet-stream' } };
  }
  return null;
}
