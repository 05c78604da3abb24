import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FAMILIES, upgradeRow, type Family } from '../../src/tenants/transfer/format.js';

export type Envelope = { type: string; row: Record<string, unknown> };

const dir = mkdtempSync(join(tmpdir(), 'botctl-transfer-'));
export const T = 1_760_000_000_000;

/** The smallest complete export: a tenant, its number, a contact whose conversation points forward at its handover, one message. */
export function records(): Envelope[] {
  return [
    { type: 'tenant', row: { id: 7, slug: 'smile', name: 'Smile', status: 'active', locale: 'ru', timezone: 'Asia/Almaty', telegram_chat_id: -100123, owner_chat_id: null, business_hours: null, remind_after_ms: 300000, remind_every_ms: 300000, remind_max: 3, reply_timeout_ms: 900000, prompt_version: null, voice_transcription: 0, llm_calls_per_hour: 30, texts: null, telegram_status: 'ok', telegram_status_detail: null, telegram_is_forum: null, created_at: T, updated_at: T } },
    { type: 'channel_account', row: { id: 3, channel: 'whatsapp', external_id: '1000001', access_token: null, app_secret: null, status: 'ok', status_detail: null, created_at: T, updated_at: T } },
    { type: 'contact', row: { id: 11, channel_account_id: 3, provider_id: '77010000001', display_name: 'Айгерим', phone: '77010000001', user_id: null, locale: null, metadata: '{"summary":"утро"}', created_at: T, updated_at: T } },
    { type: 'conversation', row: { id: 21, contact_id: 11, state: 'waiting', handover_id: 31, state_changed_at: T, notice_sent_at: null, created_at: T, updated_at: T } },
    { type: 'handover', row: { id: 31, conversation_id: 21, contact_id: 11, number: 1, status: 'waiting', reason: 'запись', summary: null, created_at: T, assigned_to_id: null, assigned_to_name: null, taken_at: null, first_response_at: null, resolved_by_id: null, resolved_by_name: null, resolved_at: null, telegram_chat_id: null, telegram_message_id: null, telegram_thread_id: null, updated_at: T, reminders_sent: 0, escalated_at: null } },
    { type: 'message', row: { id: 41, channel_account_id: 3, contact_id: 11, handover_id: 31, direction: 'inbound', author_kind: 'customer', author_id: null, author_name: null, type: 'text', body: 'Запишите меня', payload: '{}', provider_message_id: 'wamid.1', delivery_status: 'received', delivery_error: null, outcome: 'escalated', trace_id: 'tr-1', provider_timestamp: null, created_at: T, updated_at: T } },
  ];
}

/** The same records with the fields versions 2 and 3 have (a file of those versions must hold them). */
export function currentRecords(): Envelope[] {
  return records().map((r) => ({ ...r, row: upgradeRow(1, r.type as Family, r.row) }));
}

/** Records of the families added in version 3, referring to the fixture's contact 11 and message 41. */
export function salesRecords(): Envelope[] {
  return [
    { type: 'sales_setting', row: { reminder_offsets: '[3600000]', memory_retention_days: 30, updated_at: T } },
    { type: 'service', row: { id: 5, name: 'Чистка', duration_min: 60, price: '15 000 ₸', position: 1, updated_at: T } },
    { type: 'booking', row: { id: 8, contact_id: 11, service: 'Чистка', preferred_time: 'завтра в 15:00', customer_name: 'Айгерим', locale: 'ru', state: 'confirmed', created_at: T, decided_at: T, decided_by_id: 5101, decided_by_name: 'Алия', card_chat_id: -100123, card_message_id: 77, trace_id: 'tr-1', appointment_at: T + 86_400_000 } },
    { type: 'booking_reminder', row: { id: 9, booking_id: 8, offset_ms: 3_600_000, due_at: T + 82_800_000, sent_at: null, outcome: null, outbound_message_id: 41 } },
    { type: 'crm_link', row: { id: 2, provider: 'amocrm', contact_id: 11, external_contact_id: '501', entity_type: 'lead', entity_id: '9001', created_at: T } },
  ];
}

export function header(list: { type: string }[], changes: Record<string, unknown> = {}): Record<string, unknown> {
  const counts = Object.fromEntries(FAMILIES.map((f) => [f, list.filter((r) => r.type === f).length]));
  return { type: 'header', format: 'botctl-tenant', format_version: 1, botctl_version: '0.1.0', schema_version: 6, source_cell: { id: 'cell-a', hostname: 'vps1', public_url: null }, exported_at: T, tenant: 'smile', secrets: { mode: 'none' }, counts, ...changes };
}

let n = 0;
/** Writes lines as an export file in a temp folder (gzipped on request); returns its path. */
export function write(lines: string[], gzip = false): string {
  const path = join(dir, `export-${++n}.jsonl${gzip ? '.gz' : ''}`);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}
export const file = (list = records(), changes: Record<string, unknown> = {}) => [JSON.stringify(header(list, changes)), ...list.map((r) => JSON.stringify(r))];
