import { JOB } from '../../conversation/job-kinds.js';
import type { Job } from '../../jobs/types.js';
import { isOpen, nextOpening, type BusinessHours } from '../../tenants/business-hours.js';
import type { Locale } from '../../tenants/settings.js';
import type { DeskHandover, DeskStore, DeskTenant } from '../../storage/desk-store.js';
import { deskText, escapeHtml } from '../desk-texts.js';
import { DeskGateway } from '../telegram/gateway.js';
import type { DeskJobContext } from './context.js';

type Reminder = 'untaken' | 'no_reply';

/** Untaken reminders of one group falling due within this of each other go out as one message. */
export const MERGE_WINDOW_MS = 60_000;

/** What a reminder job does when it runs: nothing, wait until `at`, skip (already sent), post, or escalate. */
export type ReminderStep =
  | { action: 'drop' }
  | { action: 'wait'; at: number }
  | { action: 'skip' | 'post' | 'escalate'; since: number };

/** Decides a reminder job's step from the handover as it is now; posting is the only step that writes to the group. */
export function reminderStep(store: DeskStore, job: Job, now: number): ReminderStep {
  const reminder = job.payload.reminder as Reminder;
  const n = Number(job.payload.n);
  const h = store.handover(Number(job.payload.handoverId));
  if (!h) return { action: 'drop' };
  const tenant = store.tenant(h.tenantId)!;
  const since = store.stateSince(h.id);
  if (since === null || !stillApplies(h, reminder, since)) return { action: 'drop' };
  const due = reminder === 'untaken' ? since + tenant.remindAfterMs + (n - 1) * tenant.remindEveryMs : since + tenant.replyTimeoutMs;
  const at = openAt(tenant, due, now);
  if (at > now) return { action: 'wait', at };
  if (reminder === 'untaken' && h.remindersSent >= n) return { action: 'skip', since };
  return { action: reminder === 'untaken' && n > tenant.remindMax ? 'escalate' : 'post', since };
}

/**
 * One reminder job per handover at a time (unique key), evaluated when due: it does nothing if the handover
 * moved on, waits for opening time outside business hours, otherwise posts reminder `n` and schedules the next.
 * Untaken reminders of other requests of the group due within a minute go into the same message (their own jobs
 * then find them sent and only schedule the next). After `remind-max` untaken reminders the tenant owner and
 * on-call are told once. The reminder count is stored with the next schedule, so a restart neither loses nor
 * repeats one (except a crash between post and commit).
 */
export async function remind(job: Job, ctx: DeskJobContext): Promise<void> {
  const reminder = job.payload.reminder as Reminder;
  const n = Number(job.payload.n);
  const now = ctx.clock();
  const step = reminderStep(ctx.store, job, now);
  if (step.action === 'drop') return;
  const h = ctx.store.handover(Number(job.payload.handoverId))!;
  const tenant = ctx.store.tenant(h.tenantId)!;
  if (step.action === 'wait') {
    reschedule(ctx, h, reminder, n, step.at);
    return;
  }
  const { since } = step;
  if (step.action === 'escalate') escalate(ctx, h, tenant, now - since);
  if (step.action === 'post') await post(ctx, h, tenant, reminder, n, now - since);
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

/** `due`, or the next opening when the business is closed then. */
function openAt(tenant: DeskTenant, due: number, now: number): number {
  const hours = tenant.businessHours ? (JSON.parse(tenant.businessHours) as BusinessHours) : null;
  return Math.max(due, isOpen(hours, tenant.timezone, Math.max(due, now)) ? due : (nextOpening(hours, tenant.timezone, Math.max(due, now)) ?? due));
}

function reschedule(ctx: DeskJobContext, h: DeskHandover, reminder: Reminder, n: number, at: number): void {
  ctx.queue.enqueue({ kind: JOB.deskRemind, tenantId: h.tenantId, payload: { handoverId: h.id, reminder, n }, uniqueKey: `${reminder === 'untaken' ? 'remind' : 'remind-reply'}:${h.id}`, runAt: at });
}

function escalate(ctx: DeskJobContext, h: DeskHandover, tenant: DeskTenant, waitedMs: number): void {
  const locale = tenant.locale as Locale;
  const minutes = Math.max(1, Math.round(waitedMs / 60_000));
  const html = deskText(locale, 'escalated', { business: escapeHtml(tenant.name), number: h.number, minutes });
  if (tenant.ownerChatId !== null) ctx.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: tenant.ownerChatId, html } });
  ctx.gateway.alert(`${html}\n(${tenant.slug}; see botctl handover list ${tenant.slug})`);
  ctx.store.setEscalated(h.id, ctx.clock());
  ctx.tracer.record({ tenantId: tenant.id, traceId: `handover-${h.id}`, step: 'desk.escalated', detail: { handoverId: h.id, minutes } });
}

/** Other waiting requests of the group whose next untaken reminder (not an escalation) is due within the window. */
function dueTogether(ctx: DeskJobContext, h: DeskHandover, tenant: DeskTenant, now: number): Array<{ h: DeskHandover; n: number; since: number }> {
  const out: Array<{ h: DeskHandover; n: number; since: number }> = [];
  for (const other of ctx.store.openHandovers(tenant.id)) {
    if (other.id === h.id || other.status !== 'waiting' || other.cardMessageId === null) continue;
    const n = other.remindersSent + 1;
    const since = ctx.store.stateSince(other.id);
    if (since === null || n > tenant.remindMax) continue;
    const due = since + tenant.remindAfterMs + (n - 1) * tenant.remindEveryMs;
    if (openAt(tenant, due, now) <= now + MERGE_WINDOW_MS) out.push({ h: other, n, since });
  }
  return out;
}

async function post(ctx: DeskJobContext, h: DeskHandover, tenant: DeskTenant, reminder: Reminder, n: number, waitedMs: number): Promise<void> {
  const locale = tenant.locale as Locale;
  const now = ctx.clock();
  const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));
  const chat = h.chatId ?? tenant.chatId;
  const others = reminder === 'untaken' ? dueTogether(ctx, h, tenant, now) : [];
  if (others.length > 0) {
    // One message for the group, not under any one card: it names each request and how long it has waited.
    const items = [{ h, ms: waitedMs }, ...others.map((o) => ({ h: o.h, ms: now - o.since }))]
      .map((i) => deskText(locale, 'reminders_item', { number: i.h.number, minutes: minutes(i.ms) })).join(', ');
    const html = deskText(locale, 'reminders_merged', { count: others.length + 1, items });
    const sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chat!, html, { parse_mode: 'HTML' }));
    ctx.store.transaction(() => {
      for (const o of others) ctx.store.setRemindersSent(o.h.id, o.n);
      if (sent) ctx.store.recordDeskMessage({ tenantId: tenant.id, handoverId: null, chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: null, kind: 'reminder', messageId: null, now: ctx.clock() });
    });
    for (const i of [{ h, n }, ...others]) {
      ctx.tracer.record({ tenantId: tenant.id, traceId: `handover-${i.h.id}`, step: 'desk.reminder', detail: { handoverId: i.h.id, reminder, n: i.n, merged: others.length + 1 } });
    }
    return;
  }
  const html = reminder === 'untaken'
    ? deskText(locale, 'reminder_untaken', { number: h.number, minutes: minutes(waitedMs) })
    : deskText(locale, 'reminder_no_reply', { number: h.number, minutes: minutes(waitedMs), mention: `<a href="tg://user?id=${h.assignedToId}">${escapeHtml(h.assignedToName ?? '')}</a>` });
  const sent = await ctx.gateway.call(tenant, () => ctx.gateway.api.sendMessage(chat!, html, { parse_mode: 'HTML', ...DeskGateway.placement(h) }));
  if (sent) ctx.store.recordDeskMessage({ tenantId: tenant.id, handoverId: h.id, chatId: sent.chat.id, telegramMessageId: sent.message_id, threadId: h.threadId, kind: 'reminder', messageId: null, now: ctx.clock() });
  ctx.tracer.record({ tenantId: tenant.id, traceId: `handover-${h.id}`, step: 'desk.reminder', detail: { handoverId: h.id, reminder, n, minutes: minutes(waitedMs) } });
}
