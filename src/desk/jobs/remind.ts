import { JOB } from '../../conversation/job-kinds.js';
import type { Job } from '../../jobs/types.js';
import { isOpen, nextOpening, type BusinessHours } from '../../tenants/business-hours.js';
import type { Locale } from '../../tenants/settings.js';
import type { DeskHandover, DeskTenant } from '../../storage/desk-store.js';
import { deskText, escapeHtml } from '../desk-texts.js';
import { DeskGateway } from '../telegram/gateway.js';
import type { DeskJobContext } from './context.js';

type Reminder = 'untaken' | 'no_reply';

/**
 * One reminder job per handover at a time (unique key), evaluated when due: it does nothing if the handover
 * moved on, waits for opening time outside business hours, otherwise posts reminder `n` and schedules the next.
 * After `remind-max` untaken reminders the tenant owner and on-call are told once. The reminder count is stored
 * with the next schedule, so a restart neither loses nor repeats one (except a crash between post and commit).
 */
export async function remind(job: Job, ctx: DeskJobContext): Promise<void> {
  const reminder = job.payload.reminder as Reminder;
  const n = Number(job.payload.n);
  const h = ctx.store.handover(Number(job.payload.handoverId));
  if (!h) return;
  const tenant = ctx.store.tenant(h.tenantId)!;
  const since = ctx.store.stateSince(h.id);
  if (since === null || !stillApplies(h, reminder, since)) return;

  const due = reminder === 'untaken' ? since + tenant.remindAfterMs + (n - 1) * tenant.remindEveryMs : since + tenant.replyTimeoutMs;
  const now = ctx.clock();
  const hours = tenant.businessHours ? (JSON.parse(tenant.businessHours) as BusinessHours) : null;
  const at = Math.max(due, isOpen(hours, tenant.timezone, Math.max(due, now)) ? due : (nextOpening(hours, tenant.timezone, Math.max(due, now)) ?? due));
  if (at > now) {
    reschedule(ctx, h, reminder, n, at);
    return;
  }
  const already = reminder === 'untaken' && h.remindersSent >= n;
  if (!already) await post(ctx, h, tenant, reminder, n, now - since);
  ctx.store.transaction(() => {
    if (reminder === 'untaken') {
      ctx.store.setRemindersSent(h.id, Math.max(h.remindersSent, n));
      if (n <= tenant.remindMax) reschedule(ctx, h, reminder, n + 1, since + tenant.remindAfterMs + n * tenant.remindEveryMs);
    }
  });
}

function stillApplies(h: DeskHandover, reminder: Reminder, since: number): boolean {
  if (reminder === 'untaken') return h.status === 'waiting';
  return h.status === 'taken' && (h.firstResponseAt === null || h.firstResponseAt < since);
}

function reschedule(ctx: DeskJobContext, h: DeskHandover, reminder: Reminder, n: number, at: number): void {
  ctx.queue.enqueue({ kind: JOB.deskRemind, tenantId: h.tenantId, payload: { handoverId: h.id, reminder, n }, uniqueKey: `${reminder === 'untaken' ? 'remind' : 'remind-reply'}:${h.id}`, runAt: at });
}

async function post(ctx: DeskJobContext, h: DeskHandover, tenant: DeskTenant, reminder: Reminder, n: number, waitedMs: number): Promise<void> {
  const locale = tenant.locale as Locale;
  const minutes = Math.max(1, Math.round(waitedMs / 60_000));
  const chat = h.chatId ?? tenant.chatId;
  if (reminder === 'untaken' && n > tenant.remindMax) {
    const html = deskText(locale, 'escalated', { business: escapeHtml(tenant.name), number: h.number, minutes });
    if (tenant.ownerChatId !== null) ctx.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: tenant.ownerChatId, html } });
    ctx.gateway.alert(`${html}\n(${tenant.slug}; see botctl handover list ${tenant.slug})`);
    ctx.store.setEscalated(h.id, ctx.clock());
    ctx.tracer.record({ tenantId: tenant.id, traceId: `handover-${h.id}`, step: 'desk.escalated', detail: { handoverId: h.id, minutes } });
    return;
  }
  const html = reminder === 'untaken'
    ? deskText(locale, 'reminder_untaken', { number: h.number, minutes })
    : deskText(locale, 'reminder_no_reply', { number: h.number, minutes, mention: `<a href="tg://user?id=${h.assignedToId}">${escapeHtml(h.assignedToName ?? '')}</a>` });
  const sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chat!, html, { parse_mode: 'HTML', ...DeskGateway.placement(h) }));
  if (sent) ctx.store.recordDeskMessage({ tenantId: tenant.id, handoverId: h.id, chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: h.threadId, kind: 'reminder', messageId: null, now: ctx.clock() });
  ctx.tracer.record({ tenantId: tenant.id, traceId: `handover-${h.id}`, step: 'desk.reminder', detail: { handoverId: h.id, reminder, n, minutes } });
}
