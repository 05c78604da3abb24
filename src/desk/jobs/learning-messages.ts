import { TransientJobError } from '../../jobs/errors.js';
import type { Job } from '../../jobs/types.js';
import { approverOf } from '../../learning/policy.js';
import { nextDigestAt } from '../../learning/digest-time.js';
import { digestKey, LEARNING_JOB } from '../../learning/kinds.js';
import type { LearningStore } from '../../storage/learning-store.js';
import type { Locale } from '../../tenants/settings.js';
import { deskText } from '../desk-texts.js';
import { digestKeyboard, itemKeyboard, renderDigest, renderItem } from '../learning-card.js';
import { DeskGateway } from '../telegram/gateway.js';
import type { DeskJobContext } from './context.js';

export interface LearningJobContext extends DeskJobContext {
  learning: LearningStore;
}

/**
 * Posts a taught item's message in its request's thread (under the card), or redraws it after a decision. The
 * message id is stored once posted, so a retry edits instead of posting again.
 */
export async function showItem(job: Job, ctx: LearningJobContext): Promise<void> {
  const item = job.tenantId !== null ? ctx.learning.item(job.tenantId, Number(job.payload.itemId)) : null;
  if (!item || item.status === 'drafting') return;
  const tenant = ctx.store.tenant(item.tenantId);
  if (!tenant) return;
  const locale = tenant.locale as Locale;
  const settings = ctx.learning.settings(tenant.id);
  const approver = approverOf(settings, tenant.ownerChatId);
  const word = deskText(locale, settings.approverId === null ? 'learn_no_approver' : 'learn_approver');
  const approverHtml = approver !== null ? `<a href="tg://user?id=${approver}">${word}</a>` : word;
  const html = renderItem(item, locale, approverHtml);
  const keyboard = itemKeyboard(item, locale);
  if (item.telegramMessageId !== null && item.chatId !== null) {
    await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(item.chatId!, item.telegramMessageId!, html, { parse_mode: 'HTML', reply_markup: keyboard ?? { inline_keyboard: [] } }));
    return;
  }
  const h = item.handoverId !== null ? ctx.store.handover(item.handoverId) : null;
  // A resolved request's forum topic is closed (nobody can post in it): its draft goes to the group's general topic.
  const place = h && !(h.status === 'resolved' && h.threadId !== null) ? DeskGateway.placement(h) : {};
  const sent = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.sendMessage(h?.chatId ?? chatId, html, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}), ...place }));
  if (!sent) throw new TransientJobError('the draft was not posted');
  ctx.learning.update(item.tenantId, item.id, { chatId: sent.chat.id, telegramMessageId: sent.message_id }, ctx.clock());
}

/**
 * The day's digest: every proposal not yet in one joins the tenant's unsent digest (one transaction), which is
 * posted once and marked sent. A crash after posting and before marking is the one-round-trip window: the retry
 * posts it again (DESIGN.md, "Nothing is lost").
 */
export async function postDigest(job: Job, ctx: LearningJobContext): Promise<void> {
  const tenantId = Number(job.payload.tenantId);
  const tenant = ctx.store.tenant(tenantId);
  if (!tenant) return;
  const digest = ctx.learning.transaction(() => ctx.learning.collectDigest(tenantId, ctx.clock()));
  const items = ctx.learning.digestItems(tenantId, digest.id);
  if (items.length === 0) {
    ctx.learning.dropDigest(tenantId, digest.id);
    return;
  }
  const locale = tenant.locale as Locale;
  const keyboard = digestKeyboard(items, locale);
  const sent = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.sendMessage(chatId, renderDigest(items, locale), { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) }));
  if (!sent) throw new TransientJobError('the digest was not posted');
  const now = ctx.clock();
  ctx.learning.transaction(() => {
    ctx.learning.markDigestSent(tenantId, digest.id, sent.chat.id, sent.message_id, now);
    // More than one message's worth: the rest go in tomorrow's digest.
    if (ctx.learning.undigested(tenantId) > 0) {
      ctx.queue.enqueue({ kind: LEARNING_JOB.digest, tenantId, payload: { tenantId }, uniqueKey: digestKey(tenantId), concurrencyKey: digestKey(tenantId), runAt: nextDigestAt(now, tenant.timezone, ctx.learning.settings(tenantId).digestAt) });
    }
  });
  ctx.tracer.record({ tenantId, traceId: `learning-digest-${digest.id}`, step: 'learning.digest_sent', jobId: job.id, detail: { digestId: digest.id, proposals: items.length } });
}

/** Redraws a sent digest after a decision: decided entries marked, their buttons gone. */
export async function redrawDigest(job: Job, ctx: LearningJobContext): Promise<void> {
  const tenantId = Number(job.payload.tenantId);
  const digest = ctx.learning.digest(tenantId, Number(job.payload.digestId));
  const tenant = ctx.store.tenant(tenantId);
  if (!digest || !tenant || digest.telegramMessageId === null || digest.chatId === null) return;
  const items = ctx.learning.digestItems(tenantId, digest.id);
  const locale = tenant.locale as Locale;
  const keyboard = digestKeyboard(items, locale);
  await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(digest.chatId!, digest.telegramMessageId!, renderDigest(items, locale), { parse_mode: 'HTML', reply_markup: keyboard ?? { inline_keyboard: [] } }));
}
