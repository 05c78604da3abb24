import { InlineKeyboard } from 'grammy';
import { JOB } from '../../conversation/job-kinds.js';
import { TransientJobError } from '../../jobs/errors.js';
import type { Job } from '../../jobs/types.js';
import type { DeskDigestStore, DigestLine } from '../../storage/desk-digest-store.js';
import type { DeskTenant } from '../../storage/desk-store.js';
import type { Locale } from '../../tenants/settings.js';
import { callbackData } from '../card.js';
import { clockTime, deskText, escapeHtml } from '../desk-texts.js';
import { GROUP_MESSAGES_PER_MINUTE } from '../telegram/budgets.js';
import type { DeskJobContext } from './context.js';

/** Lines per digest page: 25 lines of at most ~150 characters stay well inside Telegram's 4,096. */
export const DIGEST_PAGE_LINES = 25;
const WORDS = 60;
const PAGE_OPEN_MS = 10 * 60_000;

/**
 * A group needs a digest when more requests wait for their cards than its rate budget posts in a minute, and some
 * of them are on no digest page yet: without one, the last of them would stay invisible to managers for minutes.
 */
export function needsDigest(digest: DeskDigestStore, tenantId: number): boolean {
  return digest.uncarded(tenantId).length > GROUP_MESSAGES_PER_MINUTE && digest.unlisted(tenantId).length > 0;
}

/** Asks for the group's digest to be drawn (one pending job per tenant: asking twice is asking once). */
export function requestDigest(ctx: Pick<DeskJobContext, 'queue'>, tenantId: number): void {
  ctx.queue.enqueue({ kind: JOB.deskDigest, tenantId, payload: {}, uniqueKey: `digest:${tenantId}`, concurrencyKey: `digest:${tenantId}` });
}

/**
 * Draws one page of a group's digest: lists the waiting requests no page lists yet (oldest first, filling the last
 * page before opening a new one), then posts or edits the oldest page that changed, with a Take button per request
 * still waiting. One Telegram message per run, so it spends one unit of the group's budget; while pages remain to
 * draw it asks for itself again, and being a `first` job of the desk lane it gets the group's next unit before the
 * cards do.
 */
export async function drawDigest(job: Job, ctx: DeskJobContext): Promise<void> {
  if (job.tenantId === null) return;
  const tenant = ctx.store.tenant(job.tenantId);
  if (!tenant || tenant.chatId === null) return;
  const now = ctx.clock();
  ctx.digest.transaction(() => {
    // A page stays open for new lines for ten minutes: a later burst starts a page of its own at the bottom of the chat.
    const open = ctx.digest.lastPage(tenant.id, now - PAGE_OPEN_MS);
    let page = open ? { id: open.page.id, count: open.count } : null;
    for (const line of ctx.digest.unlisted(tenant.id)) {
      if (!page || page.count >= DIGEST_PAGE_LINES) page = { id: ctx.digest.newPage(tenant.id, now), count: 0 };
      ctx.digest.list(line.handoverId, page.id, now);
      page.count++;
    }
  });
  const page = ctx.digest.dirtyPage(tenant.id);
  if (!page) return;
  const locale = tenant.locale as Locale;
  const lines = ctx.digest.lines(page.id);
  const html = renderDigest(lines, tenant, locale, ctx.digest.pageIndex(tenant.id, page.id), ctx.digest.uncarded(tenant.id).length);
  const keyboard = takeButtons(lines, locale);
  const markup = { reply_markup: keyboard ?? { inline_keyboard: [] } };
  if (page.telegramMessageId === null) {
    const sent = await ctx.gateway.call(tenant, (chatId) => ctx.gateway.api.sendMessage(chatId, html, { parse_mode: 'HTML', ...markup }));
    if (!sent) throw new TransientJobError('the digest was not posted');
    ctx.digest.drawn(page.id, { chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: null }, ctx.clock());
  } else {
    await ctx.gateway.call(tenant, () => ctx.gateway.api.editMessageText(page.chatId!, page.telegramMessageId!, html, { parse_mode: 'HTML', ...markup }));
    ctx.digest.drawn(page.id, null, ctx.clock());
  }
  ctx.tracer.record({ tenantId: tenant.id, traceId: `digest-${tenant.id}`, step: 'desk.digest', jobId: job.id, detail: { page: page.id, handovers: lines.map((l) => l.number) } });
  if (ctx.digest.dirtyPage(tenant.id)) requestDigest(ctx, tenant.id);
}

/** A page of the digest in the tenant's locale; `waiting` counts every request still without a card. */
export function renderDigest(lines: DigestLine[], tenant: Pick<DeskTenant, 'timezone'>, locale: Locale, page: number, waiting: number): string {
  const rows = lines.map((l) => {
    const customer = escapeHtml((l.customerName ?? `+${l.customerPhone}`).slice(0, 40));
    const state = l.status === 'waiting' ? deskText(locale, 'state_waiting') : l.status === 'taken'
      ? deskText(locale, 'state_taken', { manager: escapeHtml(l.assignedToName ?? '?') }) : deskText(locale, 'state_resolved');
    if (l.carded) return deskText(locale, 'digest_line_carded', { number: l.number, customer, state });
    const words = escapeHtml(firstWords(l.firstWords ?? ''));
    return deskText(locale, 'digest_line', { number: l.number, customer, words, since: clockTime(l.createdAt, tenant.timezone), state });
  });
  return [deskText(locale, 'digest_title', { count: waiting, page }), '', ...rows].join('\n');
}

/** A Take button for each request of the page that still waits for a manager, four to a row. */
function takeButtons(lines: DigestLine[], locale: Locale): InlineKeyboard | null {
  const open = lines.filter((l) => l.status === 'waiting');
  if (open.length === 0) return null;
  const keyboard = new InlineKeyboard();
  open.forEach((l, i) => {
    keyboard.text(deskText(locale, 'btn_take_number', { number: l.number }), callbackData('take', l.handoverId));
    if (i % 4 === 3) keyboard.row();
  });
  return keyboard;
}

function firstWords(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= WORDS ? flat : `${flat.slice(0, WORDS - 1).trimEnd()}…`;
}
