/**
 * The tenant export format (docs/decisions/0014-tenant-moves.md, 0036-tenant-export-v3.md): JSON Lines, optionally
 * gzipped. Line 1 is the header; every other line is one row of one family, `{"type": <family>, "row": {<column>: <value>, …}}`, with the
 * source cell's ids (the envelope keeps `type` apart from columns such as messages.type). References between rows use those
 * ids and always point to an earlier line, except `conversation.handover_id` (conversations come before the
 * handovers that point back at them). Import gives every row a new id on the target and maps the references.
 *
 * A family lists every column of its table except `tenant_id` (implied). The unit test
 * test/unit/tenants/transfer/format.test.ts fails when a migration adds a column this list does not know, so a new
 * column is never dropped silently: add it here and raise FORMAT_VERSION.
 *
 * What a tenant owns and the format leaves behind, and why (the test lists the same tables):
 * - `jobs`: pending work belongs to the cell that has it (payloads hold the source's ids, remote effects may already
 *   have happened). Import queues on the target only what its carried state needs: a card per open handover, a card
 *   per booking still waiting for a decision, and a job per customer reminder not sent yet.
 * - `integration_events`, `webhook_deliveries`: the integrations outbox and its delivery log. Payloads are snapshots
 *   naming the source's ids, pending deliveries are jobs of the source, and the log is pruned after its retention;
 *   like jobs they stay with the source (export warns while deliveries or CRM syncs are pending). A broken CRM
 *   connection's held events are among them: import holds the target's events from the import on instead.
 * - `rate_budgets`, `job_fair_clock`, `desk_digest_pages`: this cell's counters and waiting lists; `trace_events`,
 *   `webhook_rejections`: diagnostics keyed by the source's ids; `kb_vectors`: recomputed for the target's model;
 *   `dashboard_links`, `dashboard_sessions`: logins to the source's dashboard.
 * Secrets (channel tokens, webhook signing secrets, CRM credentials: fields of type `secret?`) are sealed with the
 * export passphrase (secret-fields.ts, transport-secrets.ts), never with a cell's key and never in plain text.
 */

import { INTEGRATION_SPECS, SALES_SPECS } from './format-v3-specs.js';

export const FORMAT_NAME = 'botctl-tenant';
export const FORMAT_VERSION = 3;
/** Versions this botctl reads (older ones are upgraded while reading: UPGRADES). */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

/** `ref:<family>` / `ref?:<family>`: the id of a row of that family in the same file (nullable with `?`). */
export type FieldType = 'id' | 'int' | 'int?' | 'text' | 'text?' | 'json' | 'json?' | 'secret?' | `ref:${Family}` | `ref?:${Family}`;

/** A family without an `id` field is one row per tenant, keyed by the tenant (sales_settings). */
export const hasId = (spec: FamilySpec): boolean => 'id' in spec.fields;

export interface FamilySpec {
  /** The record's `type`. */
  family: Family;
  table: string;
  /** Record fields in file order. JSON columns are kept as the exact text SQLite holds (checked with JSON.parse). */
  fields: Readonly<Record<string, FieldType>>;
  /** How the rows of the tenant are read, in file order (ids ascending keeps relative order on the target). */
  orderBy: string;
}

export const FAMILIES = [
  'tenant', 'channel_account', 'prompt', 'kb_source', 'kb_chunk', 'contact', 'conversation', 'handover',
  'handover_event', 'message', 'desk_message', 'llm_call', 'audit', 'learning_setting', 'learning_digest', 'learned_item',
  // Version 3: what the tenant sells (migration 0018) and its integrations (migration 0016).
  'sales_setting', 'service', 'whatsapp_template', 'offer', 'booking', 'booking_event', 'booking_reminder', 'offer_event', 'held_message',
  'webhook_endpoint', 'crm_connection', 'crm_link',
] as const;
export type Family = (typeof FAMILIES)[number];
const V3_FAMILIES = FAMILIES.slice(FAMILIES.indexOf('sales_setting'));

/**
 * Families added to version 1 after files of it were written (new tables only, no changed columns): a file without
 * their counts has none of their records. A botctl that does not know them refuses such a record by its type.
 */
export const OPTIONAL_FAMILIES: ReadonlySet<Family> = new Set(['learning_setting', 'learning_digest', 'learned_item']);

/**
 * The version that introduced a family. A file of an older version has none of its records and no count for it
 * (it reads as zero), and a record of it in such a file is refused by its type. Families not listed are in every version.
 */
export const INTRODUCED_IN: Partial<Readonly<Record<Family, number>>> = Object.fromEntries(V3_FAMILIES.map((f) => [f, 3]));

/** Whether a file of `version` can hold records of `family`. */
export const inVersion = (family: Family, version: number): boolean => version >= (INTRODUCED_IN[family] ?? 1);

const TIMES = { created_at: 'int', updated_at: 'int' } as const;

/**
 * What a file of an older version lacks, by version: the fields added since, with the value a row of that time has.
 * Version 2 (migration 0014, the owner's dashboard): tenants' dashboard settings, handovers' cause and question;
 * (migration 0011) the tenant's knowledge token budget; (migration 0013) the contact's WhatsApp user id;
 * (migration 0017) the contact's handle on its channel (Telegram @username).
 * Version 3 added families only (INTRODUCED_IN), no field of an earlier family: a version 2 row reads as it is.
 */
export const UPGRADES: Readonly<Record<number, Partial<Record<Family, Readonly<Record<string, unknown>>>>>> = {
  1: { tenant: { dashboard_managers: 1, digest: 'off', digest_sent_for: null, knowledge_budget_tokens: null }, handover: { cause: null, question: null }, contact: { user_id: null, handle: null } },
};

export const SPECS: Readonly<Record<Family, FamilySpec>> = {
  tenant: {
    family: 'tenant', table: 'tenants', orderBy: 'id',
    fields: {
      id: 'id', slug: 'text', name: 'text', status: 'text', locale: 'text', timezone: 'text', telegram_chat_id: 'int?',
      owner_chat_id: 'int?', business_hours: 'json?', remind_after_ms: 'int', remind_every_ms: 'int', remind_max: 'int',
      reply_timeout_ms: 'int', prompt_version: 'int?', voice_transcription: 'int', llm_calls_per_hour: 'int', texts: 'json?',
      telegram_status: 'text', telegram_status_detail: 'text?', telegram_is_forum: 'int?', dashboard_managers: 'int', digest: 'text', digest_sent_for: 'text?', knowledge_budget_tokens: 'int?', ...TIMES,
    },
  },
  channel_account: {
    family: 'channel_account', table: 'channel_accounts', orderBy: 'id',
    // WhatsApp numbers, Instagram accounts and Telegram customer bots (external_id = the bot's id; its webhook secret
    // is derived from the token, nothing more is stored). The secrets: sealed with the export passphrase
    // (transport-secrets.ts), never with a cell's key.
    fields: { id: 'id', channel: 'text', external_id: 'text', access_token: 'secret?', app_secret: 'secret?', status: 'text', status_detail: 'text?', ...TIMES },
  },
  prompt: {
    family: 'prompt', table: 'prompts', orderBy: 'version',
    fields: { id: 'id', version: 'int', body: 'text', actor: 'text', note: 'text?', created_at: 'int' },
  },
  kb_source: {
    family: 'kb_source', table: 'kb_sources', orderBy: 'id',
    fields: { id: 'id', name: 'text', format: 'text', checksum: 'text', chunk_count: 'int', ...TIMES },
  },
  kb_chunk: {
    family: 'kb_chunk', table: 'kb_chunks', orderBy: 'source_id, ordinal',
    // No index rows: import rebuilds the index (kb_terms) through KnowledgeStore.writeSource, which normalises the text.
    // No vectors (kb_vectors): they belong to the source cell's embeddings model; the target's worker embeds the
    // knowledge again when it is beyond the budget (its first turn asks for it).
    fields: { id: 'id', source_id: 'ref:kb_source', ordinal: 'int', heading: 'text?', question: 'text?', answer: 'text?', text: 'text', created_at: 'int' },
  },
  contact: {
    family: 'contact', table: 'contacts', orderBy: 'id',
    fields: {
      id: 'id', channel_account_id: 'ref:channel_account', provider_id: 'text', display_name: 'text?', phone: 'text?',
      user_id: 'text?', handle: 'text?', locale: 'text?', metadata: 'json', ...TIMES,
    },
  },
  conversation: {
    family: 'conversation', table: 'conversations', orderBy: 'id',
    fields: {
      id: 'id', contact_id: 'ref:contact', state: 'text', handover_id: 'ref?:handover', state_changed_at: 'int',
      notice_sent_at: 'int?', ...TIMES,
    },
  },
  handover: {
    family: 'handover', table: 'handovers', orderBy: 'id',
    fields: {
      id: 'id', conversation_id: 'ref:conversation', contact_id: 'ref:contact', number: 'int', status: 'text', reason: 'text',
      summary: 'text?', created_at: 'int', assigned_to_id: 'int?', assigned_to_name: 'text?', taken_at: 'int?',
      first_response_at: 'int?', resolved_by_id: 'int?', resolved_by_name: 'text?', resolved_at: 'int?',
      telegram_chat_id: 'int?', telegram_message_id: 'int?', telegram_thread_id: 'int?', updated_at: 'int',
      reminders_sent: 'int', escalated_at: 'int?', cause: 'text?', question: 'text?',
    },
  },
  handover_event: {
    family: 'handover_event', table: 'handover_events', orderBy: 'id',
    fields: {
      id: 'id', handover_id: 'ref:handover', event: 'text', from_state: 'text', to_state: 'text', actor_kind: 'text',
      actor_id: 'int?', actor_name: 'text?', reason: 'text?', at: 'int',
    },
  },
  message: {
    family: 'message', table: 'messages', orderBy: 'id',
    fields: {
      id: 'id', channel_account_id: 'ref:channel_account', contact_id: 'ref:contact', handover_id: 'ref?:handover',
      direction: 'text', author_kind: 'text', author_id: 'int?', author_name: 'text?', type: 'text', body: 'text?',
      payload: 'json', provider_message_id: 'text?', delivery_status: 'text', delivery_error: 'text?', outcome: 'text?',
      trace_id: 'text', provider_timestamp: 'int?', ...TIMES,
    },
  },
  desk_message: {
    family: 'desk_message', table: 'desk_messages', orderBy: 'id',
    fields: {
      id: 'id', handover_id: 'ref?:handover', chat_id: 'int', telegram_message_id: 'int', thread_id: 'int?', kind: 'text',
      message_id: 'ref?:message', created_at: 'int',
    },
  },
  llm_call: {
    family: 'llm_call', table: 'llm_calls', orderBy: 'id',
    fields: { id: 'id', contact_id: 'ref?:contact', purpose: 'text', at: 'int', duration_ms: 'int', outcome: 'text', error: 'text?' },
  },
  audit: {
    family: 'audit', table: 'audit_log', orderBy: 'id',
    fields: { id: 'id', at: 'int', actor: 'text', action: 'text', tenant_slug: 'text?', detail: 'json' },
  },
  learning_setting: {
    family: 'learning_setting', table: 'learning_settings', orderBy: 'id',
    fields: { id: 'id', mode: 'text', approver_id: 'int?', digest_at: 'text', updated_at: 'int' },
  },
  learning_digest: {
    family: 'learning_digest', table: 'learning_digests', orderBy: 'id',
    fields: { id: 'id', chat_id: 'int?', telegram_message_id: 'int?', created_at: 'int', sent_at: 'int?' },
  },
  learned_item: {
    family: 'learned_item', table: 'learned_items', orderBy: 'id',
    // Provenance travels with the entry: who taught or decided it, when, and from which request (by number).
    fields: {
      id: 'id', origin: 'text', status: 'text', handover_id: 'ref?:handover', handover_number: 'int?', ordinal: 'int', question: 'text?',
      answer: 'text?', manager_text: 'text?', refusal: 'text?', updates_item_id: 'ref?:learned_item', updates_chunk_id: 'int?',
      updates_source: 'text?', updates_question: 'text?', updates_answer: 'text?', editor_id: 'int?', created_by_id: 'int?',
      created_by_name: 'text?', created_at: 'int', submitted_by_name: 'text?', decided_by_id: 'int?', decided_by_name: 'text?',
      decided_at: 'int?', chat_id: 'int?', telegram_message_id: 'int?', thread_id: 'int?', digest_id: 'ref?:learning_digest', updated_at: 'int',
    },
  },
  ...SALES_SPECS,
  ...INTEGRATION_SPECS,
};

/** The one forward reference of the format: resolved after the handovers are written. */
export const LATE_REFS: ReadonlySet<string> = new Set(['conversation.handover_id']);

export type TransferRow = Record<string, string | number | null>;

export interface TransferRecord {
  type: Family;
  /** 1-based line in the file, for error messages. */
  line: number;
  row: TransferRow;
}

export interface KdfParams {
  name: 'scrypt';
  n: number;
  r: number;
  p: number;
  salt: string;
}

export interface TransferHeader {
  type: 'header';
  format: typeof FORMAT_NAME;
  format_version: number;
  botctl_version: string;
  /** The source database's migration level (information: records are read by format_version). */
  schema_version: number;
  source_cell: { id: string; hostname: string; public_url: string | null };
  exported_at: number;
  tenant: string;
  /** `passphrase`: secret fields are sealed with a key derived from it; `none`: exported without secrets. */
  secrets: { mode: 'passphrase'; kdf: KdfParams; check: string } | { mode: 'none' };
  counts: Record<Family, number>;
}

/** A row of an older format version as the current one reads it: the fields added since, with UPGRADES' values. */
export function upgradeRow(version: number, family: Family, row: Record<string, unknown>): Record<string, unknown> {
  const added = UPGRADES[version]?.[family];
  return added ? { ...added, ...row } : row;
}
