import { basename } from 'node:path';
import { UserError } from '../../errors.js';
import type { KnowledgeStore } from '../../storage/knowledge-store.js';
import type { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import type { FileSecrets } from './carry-secrets.js';
import { hasId, LATE_REFS, SPECS, type Family, type TransferRecord, type TransferRow } from './format.js';
import type { ParsedTransfer } from './read-transfer-file.js';
import { referenceTarget } from './validate-record.js';
import { writeIntegrations } from './write-integration-rows.js';
import { writeSales } from './write-sales-rows.js';

/** Source id → target id, per family. */
export type IdMaps = Record<Family, Map<number, number>>;

export interface RowWriterDeps {
  store: TenantTransferStore;
  knowledge: KnowledgeStore;
  /** The file's secrets, sealed with this cell's key as each row is written. */
  secrets: FileSecrets;
  now: number;
}

/** What the writers of each group of families share: the rows, this cell's tenant id, the maps so far. */
export interface FamilyWriter {
  parsed: ParsedTransfer;
  store: TenantTransferStore;
  secrets: FileSecrets;
  tenantId: number;
  maps: IdMaps;
  now: number;
  /** Writes every record of a family with `write` (which returns the new id), reporting a refused row with its line. */
  each(family: Family, write: (record: TransferRecord) => number): void;
  /** A record's values for this cell: `tenant_id` added, references mapped, `overrides` applied. */
  mapped(record: TransferRecord, overrides?: TransferRow): Record<string, unknown>;
  /** The first id to give a family's rows when they must not reuse an id the source used (stale Telegram buttons). */
  idAboveAll(family: Family, table: string): number;
}

const OPEN = new Set(['waiting', 'taken']);

/**
 * Writes every row of a parsed file with new ids, inside the caller's transaction, parents before children so each
 * reference is mapped when it is written. A row SQLite refuses (a CHECK or UNIQUE constraint) is reported with its
 * line, and the caller's transaction rolls everything back. Returns the id maps.
 */
export function writeTenantRows(parsed: ParsedTransfer, deps: RowWriterDeps): IdMaps {
  const { store } = deps;
  const maps = Object.fromEntries(Object.keys(SPECS).map((f) => [f, new Map<number, number>()])) as unknown as IdMaps;
  const name = basename(parsed.file);
  const guarded = <T>(record: TransferRecord, write: () => T): T => {
    try {
      return write();
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`line ${record.line} of ${name}: this cell's database refused the ${record.type} record (${(err as Error).message})`, 'the file is damaged or was edited; export the tenant again on the source cell');
    }
  };
  const mapped = (record: TransferRecord, tenantId: number | null, overrides: TransferRow = {}): Record<string, unknown> => {
    const values: Record<string, unknown> = tenantId === null ? {} : { tenant_id: tenantId };
    for (const [field, type] of Object.entries(SPECS[record.type].fields)) {
      if (field === 'id') continue;
      const target = referenceTarget(type) as Family | null;
      const value = record.row[field] ?? null;
      values[field] = target === null || value === null ? value
        : LATE_REFS.has(`${record.type}.${field}`) ? null : maps[target].get(value as number)!;
    }
    return { ...values, ...overrides };
  };
  const each = (family: Family, write: (record: TransferRecord) => number) => {
    for (const record of parsed.records[family]) {
      const id = guarded(record, () => write(record));
      if (hasId(SPECS[family])) maps[family].set(record.row.id as number, id);
    }
  };

  // The desk state of another cell's bot says nothing about this cell's bot: start from 'ok' and let the desk find out.
  each('tenant', (r) => store.insert(SPECS.tenant, mapped(r, null, { telegram_status: 'ok', telegram_status_detail: null })));
  const tenantId = maps.tenant.values().next().value!;
  const writer: FamilyWriter = {
    parsed, store, secrets: deps.secrets, tenantId, maps, now: deps.now, each,
    mapped: (record, overrides) => mapped(record, tenantId, overrides),
    idAboveAll: (family, table) => parsed.records[family].reduce((max, r) => Math.max(max, r.row.id as number), store.maxId(table)) + 1,
  };
  // WhatsApp, Instagram and Telegram customer bot accounts, their secrets sealed with this cell's key.
  each('channel_account', (r) => store.insert(SPECS.channel_account, {
    ...mapped(r, tenantId),
    access_token: deps.secrets.sealAtRest('channel_account', r, 'access_token', 0),
    app_secret: deps.secrets.sealAtRest('channel_account', r, 'app_secret', 0),
  }));
  each('prompt', (r) => store.insert(SPECS.prompt, mapped(r, tenantId)));
  writeKnowledge(parsed, deps, tenantId, maps, guarded);
  each('contact', (r) => store.insert(SPECS.contact, mapped(r, tenantId)));
  each('conversation', (r) => store.insert(SPECS.conversation, mapped(r, tenantId)));

  // Handover ids start above every id the source used: a stale button on an old card (`h:<id>:t`) pressed in the
  // same chat then finds no handover of this tenant instead of acting on the wrong one.
  let nextHandoverId = writer.idAboveAll('handover', 'handovers');
  each('handover', (r) => {
    // An open handover's card belongs to the source cell's bot, which this cell cannot edit: its card is posted again.
    const card: TransferRow = OPEN.has(String(r.row.status)) ? { telegram_chat_id: null, telegram_message_id: null, telegram_thread_id: null } : {};
    return store.insert(SPECS.handover, { id: nextHandoverId++, ...mapped(r, tenantId, card) });
  });
  for (const r of parsed.records.conversation) {
    if (r.row.handover_id !== null) store.setConversationHandover(maps.conversation.get(r.row.id as number)!, maps.handover.get(r.row.handover_id as number)!);
  }
  each('handover_event', (r) => store.insert(SPECS.handover_event, mapped(r, tenantId)));
  each('message', (r) => store.insert(SPECS.message, mapped(r, tenantId)));
  each('desk_message', (r) => store.insert(SPECS.desk_message, mapped(r, tenantId)));
  each('llm_call', (r) => store.insert(SPECS.llm_call, mapped(r, tenantId)));
  for (const r of parsed.records.audit) guarded(r, () => store.insertAudit(tenantId, r.row, parsed.header.source_cell.id));
  writeLearning(writer);
  writeSales(writer);
  writeIntegrations(writer);
  return maps;
}

/**
 * Learning: the setting, digests and every learned item with its provenance. Their Telegram messages belong to the
 * source cell's bot, which this cell cannot edit, so those ids are dropped; a draft the source's model was still
 * writing has no job here and is carried as discarded; an update's kb chunk id is the source's, so it is dropped
 * (its source name, question and answer stay). The live entries are already in the carried `learned` source.
 */
function writeLearning({ store, each, mapped }: FamilyWriter): void {
  const away: TransferRow = { chat_id: null, telegram_message_id: null };
  each('learning_setting', (r) => store.insert(SPECS.learning_setting, mapped(r)));
  each('learning_digest', (r) => store.insert(SPECS.learning_digest, mapped(r, away)));
  each('learned_item', (r) => store.insert(SPECS.learned_item, mapped(r, {
    ...away, thread_id: null, updates_chunk_id: null, ...(r.row.status === 'drafting' ? { status: 'discarded' } : {}),
  })));
}

/** Knowledge goes through KnowledgeStore, which writes the full-text rows from normalised text as `kb add` does. */
function writeKnowledge(parsed: ParsedTransfer, deps: RowWriterDeps, tenantId: number, maps: IdMaps, guarded: <T>(r: TransferRecord, w: () => T) => T): void {
  for (const source of parsed.records.kb_source) {
    const chunks = parsed.records.kb_chunk.filter((c) => c.row.source_id === source.row.id);
    const id = guarded(source, () => deps.knowledge.writeSource(tenantId, {
      name: String(source.row.name),
      format: String(source.row.format),
      checksum: String(source.row.checksum),
      chunks: chunks.map((c) => ({ heading: c.row.heading as string | null, question: c.row.question as string | null, answer: c.row.answer as string | null, text: String(c.row.text) })),
    }, deps.now));
    deps.store.restoreKnowledgeTimes(id, source.row, chunks.map((c) => c.row));
    maps.kb_source.set(source.row.id as number, id);
  }
}
