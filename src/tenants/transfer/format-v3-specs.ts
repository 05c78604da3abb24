import type { FamilySpec } from './format.js';

// Kept apart from format.ts so each file stays small; format.ts lists these families in FAMILIES and spreads them
// into SPECS. Type-only import of format.ts: no cycle at run time.
const TIMES = { created_at: 'int', updated_at: 'int' } as const;

/**
 * What the tenant sells (migration 0018), all carried: it is state a business set up or its customers made, not
 * queued work. Ids without a foreign key in the schema (a reminder's or a held message's message ids, an offer
 * event's booking) are still references here: those rows are only ever deleted with their contact, which removes
 * the referring rows too, so the target gets them mapped instead of pointing at another tenant's rows.
 */
export const SALES_SPECS = {
  sales_setting: {
    // One row per tenant, keyed by it (no id): reminder offsets and memory retention.
    family: 'sales_setting', table: 'sales_settings', orderBy: 'tenant_id',
    fields: { reminder_offsets: 'json', memory_retention_days: 'int?', updated_at: 'int' },
  },
  service: {
    family: 'service', table: 'sales_services', orderBy: 'position, id',
    fields: { id: 'id', name: 'text', duration_min: 'int', price: 'text?', position: 'int', updated_at: 'int' },
  },
  whatsapp_template: {
    family: 'whatsapp_template', table: 'whatsapp_templates', orderBy: 'id',
    fields: { id: 'id', name: 'text', language: 'text', params: 'json', purpose: 'text?', created_at: 'int' },
  },
  offer: {
    // Removed offers too: their events keep the offered / accepted counts.
    family: 'offer', table: 'sales_offers', orderBy: 'id',
    fields: { id: 'id', when_text: 'text', text: 'text', service: 'text?', created_at: 'int', removed_at: 'int?' },
  },
  booking: {
    // A booking still `requested` gets a new card on the target (its card belongs to the source cell's bot); a
    // decided one keeps its card position as history, like a resolved handover.
    family: 'booking', table: 'sales_bookings', orderBy: 'id',
    fields: {
      id: 'id', contact_id: 'ref:contact', service: 'text', preferred_time: 'text', customer_name: 'text', locale: 'text', state: 'text',
      created_at: 'int', decided_at: 'int?', decided_by_id: 'int?', decided_by_name: 'text?', card_chat_id: 'int?', card_message_id: 'int?',
      trace_id: 'text?', appointment_at: 'int?',
    },
  },
  booking_event: {
    family: 'booking_event', table: 'sales_booking_events', orderBy: 'id',
    fields: { id: 'id', booking_id: 'ref:booking', at: 'int', state: 'text', actor_kind: 'text', actor_id: 'int?', actor_name: 'text?' },
  },
  booking_reminder: {
    // A reminder not sent yet is queued again on the target at its due time (its job was the source's).
    family: 'booking_reminder', table: 'sales_reminders', orderBy: 'id',
    fields: { id: 'id', booking_id: 'ref:booking', offset_ms: 'int', due_at: 'int', sent_at: 'int?', outcome: 'text?', outbound_message_id: 'ref?:message' },
  },
  offer_event: {
    family: 'offer_event', table: 'sales_offer_events', orderBy: 'id',
    fields: { id: 'id', offer_id: 'ref:offer', contact_id: 'ref:contact', kind: 'text', at: 'int', booking_id: 'ref?:booking' },
  },
  held_message: {
    // Held until the customer answers (released in that transaction, on whichever cell has the tenant): state, not a job.
    family: 'held_message', table: 'sales_held_messages', orderBy: 'id',
    fields: {
      id: 'id', contact_id: 'ref:contact', message_id: 'ref:message', template_message_id: 'ref:message', held_by_name: 'text?', created_at: 'int',
      released_at: 'int?', released_message_id: 'ref?:message',
    },
  },
} as const satisfies Record<string, FamilySpec>;

/**
 * The tenant's integrations (migration 0016): endpoints and CRM connections with their secrets, and the link of each
 * contact to its CRM record, whose external ids keep the moved tenant from creating its customers' leads again.
 * The outbox (integration_events, webhook_deliveries) is not carried: see format.ts.
 */
export const INTEGRATION_SPECS = {
  webhook_endpoint: {
    // Both signing secrets: a rotation's overlap goes on after the move. Import binds them to the endpoint's new id.
    family: 'webhook_endpoint', table: 'webhook_endpoints', orderBy: 'id',
    fields: {
      id: 'id', url: 'text', events: 'json', secret: 'secret?', previous_secret: 'secret?', previous_expires_at: 'int?', status: 'text',
      status_detail: 'text?', status_changed_at: 'int?', ...TIMES,
    },
  },
  crm_connection: {
    // held_from_event_id names an integration event of the source, which is not carried: import drops it (see write-integration-rows.ts).
    family: 'crm_connection', table: 'crm_connections', orderBy: 'id',
    fields: {
      id: 'id', provider: 'text', settings: 'json', secret: 'secret?', status: 'text', status_detail: 'text?', status_changed_at: 'int?',
      held_from_event_id: 'int?', ...TIMES,
    },
  },
  crm_link: {
    family: 'crm_link', table: 'crm_links', orderBy: 'id',
    fields: { id: 'id', provider: 'text', contact_id: 'ref:contact', external_contact_id: 'text?', entity_type: 'text', entity_id: 'text', created_at: 'int' },
  },
} as const satisfies Record<string, FamilySpec>;
