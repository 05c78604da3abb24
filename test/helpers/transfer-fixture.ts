import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FAMILIES } from '../../src/tenants/transfer/format.js';

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
