import type { Api } from 'grammy';
import { JOB } from '../../conversation/job-kinds.js';
import { TransientJobError } from '../../jobs/errors.js';
import type { Job } from '../../jobs/types.js';
import type { Locale } from '../../tenants/settings.js';
import { cardKeyboard, renderCard, topicName } from '../card.js';
import { deskText } from '../desk-texts.js';
import { needsDigest, requestDigest } from './digest.js';
import { TRANSCRIPT_LINES, type DeskJobContext } from './context.js';

/**
 * Posts a handover's card in the tenant's managers chat (its own topic in a forum supergroup), then schedules
 * the first "nobody took it" reminder. Idempotent: a card already posted is not posted again, checked again right
 * before sending. `signal` is the job's: when the runner abandons an attempt (its timeout), every call of it is
 * cancelled, also one still waiting in the throttler or between auto-retry's 429 waits, so an abandoned attempt
 * never posts a card after its retry did. What remains is the one-round-trip window (docs/decisions/0023): a
 * sendMessage Telegram carried out whose answer was lost (a crash, a cancel after the request left) is posted
 * again by the retry.
 */
export async function postCard(job: Job, ctx: DeskJobContext, jobSignal?: AbortSignal): Promise<void> {
  // grammY types its signal with the abort-controller shim; the runtime object is the platform's AbortSignal.
  const signal = jobSignal as unknown as Parameters<Api['getChat']>[1];
  const handoverId = Number(job.payload.handoverId);
  const h = ctx.store.handover(handoverId);
  if (!h || h.cardMessageId !== null) return;
  const tenant = ctx.store.tenant(h.tenantId)!;
  const locale = tenant.locale as Locale;

  let isForum = tenant.isForum;
  if (isForum === null && tenant.chatId !== null) {
    const chat = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.getChat(chatId, signal));
    isForum = Boolean(chat && 'is_forum' in chat && chat.is_forum);
    ctx.store.setForum(tenant.id, isForum);
  }
  let threadId = h.threadId;
  if (isForum && threadId === null) {
    const name = topicName(h, locale);
    const topic = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.createForumTopic(chatId, name, undefined, signal));
    if (!topic) throw new TransientJobError('the forum topic could not be created');
    threadId = topic.message_thread_id;
    // Remembered at once: a retry after a crash reuses the topic, and managers may write in it before the card lands.
    ctx.store.setThread(h.id, tenant.chatId!, threadId);
  }
  const text = renderCard({ ...h, threadId }, tenant, ctx.store.transcript(h.contactId, TRANSCRIPT_LINES));
  const keyboard = cardKeyboard(h, locale, { teach: ctx.teachable?.(h.tenantId) ?? false });
  // Another attempt may have posted it while this one waited (a topic, the throttler): never post a second card.
  if (ctx.store.handover(h.id)?.cardMessageId != null) return;
  jobSignal?.throwIfAborted();
  const sent = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.sendMessage(chatId, text, {
    parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}), ...(threadId !== null ? { message_thread_id: threadId } : {}),
  }, signal));
  if (!sent) throw new TransientJobError('the card was not posted');
  const now = ctx.clock();
  ctx.store.transaction(() => {
    ctx.store.recordCard(h.id, sent.chat.id, sent.message_id, threadId, now);
    // The first reminder is due remind-after past the moment the request began waiting: scheduled for then, so it
    // spends none of the group's budget before it has something to say.
    const since = ctx.store.stateSince(h.id) ?? now;
    ctx.queue.enqueue({ kind: JOB.deskRemind, tenantId: h.tenantId, payload: { handoverId: h.id, reminder: 'untaken', n: 1 }, uniqueKey: `remind:${h.id}`, runAt: Math.max(now + 1, since + tenant.remindAfterMs) });
    // A manager may have acted while the card was on its way (e.g. from the CLI or the digest): draw its state then.
    const latest = ctx.store.handover(h.id);
    if (latest && (latest.status !== h.status || latest.assignedToId !== h.assignedToId)) {
      ctx.queue.enqueue({ kind: JOB.deskUpdateCard, tenantId: h.tenantId, payload: { handoverId: h.id }, uniqueKey: `card:${h.id}`, concurrencyKey: `handover:${h.id}` });
    }
  });
  // More requests wait for cards than the group's budget posts in a minute: the digest names them all meanwhile.
  if (needsDigest(ctx.digest, h.tenantId)) requestDigest(ctx, h.tenantId);
  ctx.tracer.record({ tenantId: h.tenantId, traceId: `handover-${h.id}`, step: 'desk.card_posted', jobId: job.id, detail: { handoverId: h.id, chatId: sent.chat.id, messageId: sent.message_id, threadId, note: deskText(locale, 'card_title', { number: h.number }) } });
}

/** Redraws a card after its state changed (taken, released, resolved). */
export async function updateCard(job: Job, ctx: DeskJobContext): Promise<void> {
  const h = ctx.store.handover(Number(job.payload.handoverId));
  if (!h) return;
  if (h.cardMessageId === null) throw new TransientJobError('the card is not posted yet; it is drawn when it is');
  const tenant = ctx.store.tenant(h.tenantId)!;
  const keyboard = cardKeyboard(h, tenant.locale as Locale, { teach: ctx.teachable?.(h.tenantId) ?? false });
  const text = renderCard(h, tenant, ctx.store.transcript(h.contactId, TRANSCRIPT_LINES));
  await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(h.chatId ?? tenant.chatId!, h.cardMessageId!, text, {
    parse_mode: 'HTML', reply_markup: keyboard ?? { inline_keyboard: [] },
  }));
}

/** Closes a resolved handover's forum topic (plain groups have none). */
export async function closeTopic(job: Job, ctx: DeskJobContext): Promise<void> {
  const h = ctx.store.handover(Number(job.payload.handoverId));
  if (!h || h.threadId === null || h.status !== 'resolved') return;
  const tenant = ctx.store.tenant(h.tenantId)!;
  await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.closeForumTopic(h.chatId ?? chatId, h.threadId!));
}
