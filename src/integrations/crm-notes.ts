import { deskText } from '../desk/desk-texts.js';
import type { Locale } from '../tenants/settings.js';
import type { ContactPayload, HandoverPayload, WebhookPayload } from './payloads.js';

/** The lead title and the note a CRM gets for an event, in the tenant's locale (templates/desk/<locale>.json). */
export function crmTexts(payload: WebhookPayload, locale: Locale): { leadTitle: string; note: string; contact: ContactPayload } | null {
  const data = payload.data as { contact?: ContactPayload; handover?: HandoverPayload; booking?: { id: number; status: string } };
  if (!data.contact) return null;
  const contact = data.contact;
  const customer = contact.name ?? (contact.phone ? `+${contact.phone}` : `#${contact.id}`);
  const leadTitle = deskText(locale, 'crm_lead_title', { customer });
  let note: string;
  if (data.handover && payload.type === 'handover.resolved') {
    note = deskText(locale, 'crm_note_resolved', { number: data.handover.number, manager: data.handover.resolved_by_name ?? '—' });
  } else if (data.handover) {
    note = deskText(locale, 'crm_note_opened', {
      number: data.handover.number, phone: contact.phone ? `+${contact.phone}` : '—', reason: data.handover.reason, summary: data.handover.summary ?? deskText(locale, 'crm_no_summary'),
    });
  } else if (data.booking) {
    note = deskText(locale, 'crm_note_booking', { booking: data.booking.id, status: data.booking.status });
  } else {
    return null;
  }
  return { leadTitle, note, contact };
}
