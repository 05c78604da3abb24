import Database from 'better-sqlite3';
import { join } from 'node:path';
import { salesAndIntegrationRows } from './tenant-rows-sales.js';

/**
 * Everything a cell holds for one tenant, with the cell's own ids replaced by what stays the same across cells
 * (a contact's WhatsApp id, a handover's number, a message's provider id or position), so two cells can be compared
 * with toEqual after a tenant moved between them. Read-only connection.
 */
export function tenantRows(dataDir: string, slug: string): Record<string, unknown> {
  const db = new Database(join(dataDir, 'botctl.db'), { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all(slug) as Record<string, unknown>[];
    const T = '(SELECT id FROM tenants WHERE slug = ?)';
    const contact = (col: string) => `(SELECT provider_id FROM contacts WHERE id = ${col})`;
    const handover = (col: string) => `(SELECT number FROM handovers WHERE id = ${col})`;
    return {
      tenant: all(`SELECT slug, name, status, locale, timezone, telegram_chat_id, owner_chat_id, business_hours, remind_after_ms, remind_every_ms,
        remind_max, reply_timeout_ms, prompt_version, voice_transcription, llm_calls_per_hour, texts, telegram_is_forum, dashboard_managers, digest, digest_sent_for,
        created_at, updated_at FROM tenants WHERE slug = ?`),
      accounts: all(`SELECT channel, external_id, status, status_detail, created_at, updated_at FROM channel_accounts WHERE tenant_id = ${T} ORDER BY channel`),
      prompts: all(`SELECT version, body, actor, note, created_at FROM prompts WHERE tenant_id = ${T} ORDER BY version`),
      knowledge: all(`SELECT s.name, s.format, s.checksum, s.chunk_count, s.created_at, s.updated_at, c.ordinal, c.heading, c.question, c.answer, c.text, c.created_at AS chunk_created_at
        FROM kb_sources s JOIN kb_chunks c ON c.source_id = s.id WHERE s.tenant_id = ${T} ORDER BY s.name, c.ordinal`),
      contacts: all(`SELECT (SELECT channel FROM channel_accounts a WHERE a.id = channel_account_id) AS channel, provider_id, display_name, phone, user_id, handle, locale, metadata,
        created_at, updated_at FROM contacts WHERE tenant_id = ${T} ORDER BY provider_id`),
      conversations: all(`SELECT ${contact('contact_id')} AS contact, state, ${handover('handover_id')} AS handover, state_changed_at, notice_sent_at, created_at, updated_at
        FROM conversations WHERE tenant_id = ${T} ORDER BY contact`),
      handovers: all(`SELECT number, ${contact('contact_id')} AS contact, (SELECT ${contact('v.contact_id')} FROM conversations v WHERE v.id = conversation_id) AS conversation_of,
        status, reason, summary, created_at, assigned_to_id, assigned_to_name, taken_at, first_response_at, resolved_by_id, resolved_by_name, resolved_at,
        reminders_sent, escalated_at, cause, question, CASE WHEN status = 'resolved' THEN json_array(telegram_chat_id, telegram_message_id, telegram_thread_id) END AS card
        FROM handovers WHERE tenant_id = ${T} ORDER BY number`),
      handoverEvents: all(`SELECT ${handover('handover_id')} AS handover, event, from_state, to_state, actor_kind, actor_id, actor_name, reason, at
        FROM handover_events WHERE tenant_id = ${T} ORDER BY at, id`),
      messages: all(`SELECT ${contact('contact_id')} AS contact, ${handover('handover_id')} AS handover, direction, author_kind, author_id, author_name, type, body,
        payload, provider_message_id, delivery_status, delivery_error, outcome, trace_id, provider_timestamp, created_at, updated_at
        FROM messages WHERE tenant_id = ${T} ORDER BY contact, id`),
      deskMessages: all(`SELECT ${handover('handover_id')} AS handover, chat_id, telegram_message_id, thread_id, kind,
        (SELECT coalesce(provider_message_id, body) FROM messages m WHERE m.id = message_id) AS message, created_at
        FROM desk_messages WHERE tenant_id = ${T} ORDER BY id`),
      llmCalls: all(`SELECT ${contact('contact_id')} AS contact, purpose, at, duration_ms, outcome, error FROM llm_calls WHERE tenant_id = ${T} ORDER BY id`),
      ...salesAndIntegrationRows(all, T),
    };
  } finally {
    db.close();
  }
}
