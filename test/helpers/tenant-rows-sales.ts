type All = (sql: string) => Record<string, unknown>[];

/**
 * The sales and integration rows of a tenant (export format version 3), with ids replaced by what stays the same
 * across cells (a contact's provider id, a booking's customer and creation time, a message's provider id or text),
 * for tenantRows. Secrets are left out (they are sealed with each cell's own key); whether a previous webhook
 * secret exists is kept.
 */
export function salesAndIntegrationRows(all: All, T: string): Record<string, unknown> {
  const contact = (col: string) => `(SELECT provider_id FROM contacts WHERE id = ${col})`;
  const booking = (col: string) => `(SELECT c.provider_id || ' @' || b.created_at FROM sales_bookings b JOIN contacts c ON c.id = b.contact_id WHERE b.id = ${col})`;
  const message = (col: string) => `(SELECT coalesce(provider_message_id, body) FROM messages WHERE id = ${col})`;
  return {
    salesSettings: all(`SELECT reminder_offsets, memory_retention_days, updated_at FROM sales_settings WHERE tenant_id = ${T}`),
    services: all(`SELECT name, duration_min, price, position, updated_at FROM sales_services WHERE tenant_id = ${T} ORDER BY position, name`),
    templates: all(`SELECT name, language, params, purpose, created_at FROM whatsapp_templates WHERE tenant_id = ${T} ORDER BY name, language`),
    offers: all(`SELECT when_text, text, service, created_at, removed_at FROM sales_offers WHERE tenant_id = ${T} ORDER BY created_at, text`),
    bookings: all(`SELECT ${contact('contact_id')} AS contact, service, preferred_time, customer_name, locale, state, created_at, decided_at, decided_by_id, decided_by_name,
      trace_id, appointment_at, CASE WHEN state <> 'requested' THEN json_array(card_chat_id, card_message_id) END AS card FROM sales_bookings WHERE tenant_id = ${T} ORDER BY created_at, contact`),
    bookingEvents: all(`SELECT ${booking('booking_id')} AS booking, at, state, actor_kind, actor_id, actor_name FROM sales_booking_events WHERE tenant_id = ${T} ORDER BY at, id`),
    reminders: all(`SELECT ${booking('booking_id')} AS booking, offset_ms, due_at, sent_at, outcome, ${message('outbound_message_id')} AS message
      FROM sales_reminders WHERE tenant_id = ${T} ORDER BY due_at`),
    offerEvents: all(`SELECT (SELECT o.text FROM sales_offers o WHERE o.id = offer_id) AS offer, ${contact('contact_id')} AS contact, kind, at, ${booking('booking_id')} AS booking
      FROM sales_offer_events WHERE tenant_id = ${T} ORDER BY at, id`),
    heldMessages: all(`SELECT ${contact('contact_id')} AS contact, ${message('message_id')} AS message, ${message('template_message_id')} AS template, held_by_name, created_at,
      released_at, ${message('released_message_id')} AS released FROM sales_held_messages WHERE tenant_id = ${T} ORDER BY created_at`),
    webhooks: all(`SELECT url, events, previous_secret_enc IS NOT NULL AS has_previous, previous_expires_at, status, status_detail, status_changed_at, created_at, updated_at
      FROM webhook_endpoints WHERE tenant_id = ${T} ORDER BY created_at, url`),
    crm: all(`SELECT provider, settings, status, status_detail, status_changed_at, created_at, updated_at FROM crm_connections WHERE tenant_id = ${T} ORDER BY provider`),
    crmLinks: all(`SELECT provider, ${contact('contact_id')} AS contact, external_contact_id, entity_type, entity_id, created_at FROM crm_links WHERE tenant_id = ${T} ORDER BY provider, contact`),
  };
}
