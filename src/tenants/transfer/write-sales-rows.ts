import { SPECS, type TransferRow } from './format.js';
import type { FamilyWriter } from './write-tenant-rows.js';

/**
 * What the tenant sells: settings, services, templates, offers, then bookings with their events and reminders, offer
 * events and held messages, each reference mapped to this cell's ids. A booking still waiting for a manager's
 * decision loses its card position (the card belongs to the source cell's bot; the importer queues a new one);
 * a decided booking keeps it as history, like a resolved handover. Reminders keep due and sent times: one not sent
 * yet is queued again by the importer.
 */
export function writeSales({ store, each, mapped, idAboveAll }: FamilyWriter): void {
  each('sales_setting', (r) => store.insert(SPECS.sales_setting, mapped(r)));
  each('service', (r) => store.insert(SPECS.service, mapped(r)));
  each('whatsapp_template', (r) => store.insert(SPECS.whatsapp_template, mapped(r)));
  each('offer', (r) => store.insert(SPECS.offer, mapped(r)));
  // Booking ids start above every id the source used, as handovers' do: a stale Confirm (`b:<id>:c`) on an old card,
  // pressed in the same chat when both cells share a bot, then finds no booking of this tenant instead of deciding another.
  let nextBookingId = idAboveAll('booking', 'sales_bookings');
  each('booking', (r) => {
    const card: TransferRow = r.row.state === 'requested' ? { card_chat_id: null, card_message_id: null } : {};
    return store.insert(SPECS.booking, { id: nextBookingId++, ...mapped(r, card) });
  });
  each('booking_event', (r) => store.insert(SPECS.booking_event, mapped(r)));
  each('booking_reminder', (r) => store.insert(SPECS.booking_reminder, mapped(r)));
  each('offer_event', (r) => store.insert(SPECS.offer_event, mapped(r)));
  each('held_message', (r) => store.insert(SPECS.held_message, mapped(r)));
}
