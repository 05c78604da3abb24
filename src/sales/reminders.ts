import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer, OutboundDraft } from '../conversation/ports.js';
import type { Locale } from '../tenants/settings.js';
import { renderText, type TextOverrides } from '../texts/texts.js';
import type { BookingState } from './booking-states.js';
import { queueCustomerMessage } from './customer-message.js';
import { SALES_JOB } from './kinds.js';
import { localDateTime } from './local-time.js';
import { templateParams, type TemplatePurpose, type WhatsappTemplate } from './templates.js';

/** WhatsApp's customer service window, less a margin so a message queued at its edge is not refused (131047). */
export const SERVICE_WINDOW_MS = 24 * 3_600_000;
const WINDOW_MARGIN_MS = 10 * 60_000;

export interface ReminderToSend {
  id: number;
  bookingId: number;
  dueAt: number;
  sentAt: number | null;
  state: BookingState;
  service: string;
  preferredTime: string;
  customerName: string;
  locale: Locale;
  appointmentAt: number | null;
  contactId: number;
  channelAccountId: number;
  business: string;
  texts: TextOverrides | null;
  timezone: string;
  /** When the customer last wrote (the 24-hour window), or null. */
  lastInboundAt: number | null;
  /** The customer's channel: Telegram has no window, only WhatsApp has templates for outside it. */
  channel: 'whatsapp' | 'instagram' | 'telegram';
}

export interface ReminderStore {
  transaction<T>(fn: () => T): T;
  offsets(tenantId: number): number[];
  /** A reminder row (unique per booking and offset); null when it already exists. */
  schedule(tenantId: number, bookingId: number, offsetMs: number, dueAt: number): number | null;
  load(tenantId: number, reminderId: number): ReminderToSend | null;
  /** Records the reminder's outcome once; false when it was already recorded. */
  markSent(tenantId: number, reminderId: number, outcome: string, messageId: number | null, now: number): boolean;
}

/**
 * The reminders of a booking a manager just confirmed, one per the tenant's offsets (24 h and 2 h before by default)
 * that is still ahead; each is a job due at its moment. Call inside the confirmation's transaction.
 */
export function scheduleReminders(deps: { reminders: ReminderStore; queue: JobEnqueuer }, tenantId: number, bookingId: number, appointmentAt: number, now: number): number[] {
  const ids: number[] = [];
  for (const offset of deps.reminders.offsets(tenantId)) {
    const dueAt = appointmentAt - offset;
    if (dueAt <= now) continue; // too late for this one: a reminder after its moment would only confuse
    const id = deps.reminders.schedule(tenantId, bookingId, offset, dueAt);
    if (id === null) continue;
    deps.queue.enqueue({ kind: SALES_JOB.customerReminder, tenantId, payload: { reminderId: id }, runAt: dueAt, uniqueKey: `reminder:${id}` });
    ids.push(id);
  }
  return ids;
}

export interface ReminderDeps {
  reminders: ReminderStore;
  templates: { forPurpose(tenantId: number, purpose: TemplatePurpose, language: string): WhatsappTemplate | null };
  outbound: { insertOutbound(draft: OutboundDraft): number };
  queue: JobEnqueuer;
  events: IntegrationEvents;
  clock: () => number;
}

/**
 * Sends one reminder, exactly once: its outcome and the queued message are one transaction, and a reminder already
 * recorded is left alone. Inside the 24-hour window it is a text in the customer's language; outside it, the
 * tenant's approved reminder template; with neither, it is recorded as skipped with the reason (nothing is sent
 * that WhatsApp would refuse).
 */
export function sendReminder(deps: ReminderDeps, tenantId: number, reminderId: number): string | null {
  return deps.reminders.transaction(() => {
    const r = deps.reminders.load(tenantId, reminderId);
    if (!r || r.sentAt !== null) return null;
    const now = deps.clock();
    const skip = (why: string) => {
      deps.reminders.markSent(tenantId, reminderId, `skipped: ${why}`, null, now);
      return `skipped: ${why}`;
    };
    if (r.state !== 'confirmed' || r.appointmentAt === null) return skip(`the booking is ${r.state}`);
    if (r.appointmentAt <= now) return skip('the appointment has passed');
    const values = { name: r.customerName, service: r.service, time: localDateTime(r.appointmentAt, r.timezone), business: r.business };
    const body = renderText(r.locale, 'booking_reminder', values, r.texts);
    const draft = { tenantId, channelAccountId: r.channelAccountId, contactId: r.contactId, handoverId: null, body, traceId: `reminder-${reminderId}` };
    const windowOpen = r.channel === 'telegram' || (r.lastInboundAt !== null && now - r.lastInboundAt < SERVICE_WINDOW_MS - WINDOW_MARGIN_MS);
    if (windowOpen) {
      const id = queueCustomerMessage(deps, draft);
      deps.reminders.markSent(tenantId, reminderId, 'text', id, now);
      return 'text';
    }
    if (r.channel !== 'whatsapp') return skip(`the ${r.channel} 24-hour window is closed and ${r.channel} has no message templates`);
    const template = deps.templates.forPurpose(tenantId, 'reminder', r.locale);
    if (!template) return skip('the 24-hour window is closed and the tenant has no reminder template (botctl tenant templates add … --purpose reminder)');
    const id = queueCustomerMessage(deps, { ...draft, type: 'template', template: { name: template.name, language: template.language, params: templateParams(template, values) } });
    deps.reminders.markSent(tenantId, reminderId, 'template', id, now);
    return 'template';
  });
}
