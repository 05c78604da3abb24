import { basename } from 'node:path';
import { UserError } from '../../errors.js';
import type { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import { validatePhoneNumberId, validateSlug, validateTimezone } from '../settings.js';
import type { ParsedTransfer } from './read-transfer-file.js';
import type { TransferRecord } from './format.js';

/**
 * What the file must satisfy beyond its shape, checked before the transaction: settings botctl would accept from
 * `tenant add`, a prompt version in force that exists, and knowledge sources whose chunks are complete.
 */
export function checkContent(parsed: ParsedTransfer): void {
  const name = basename(parsed.file);
  const at = (record: TransferRecord, problem: string) => new UserError(`line ${record.line} of ${name}: ${problem}`, 'the file is damaged or was edited; export the tenant again on the source cell');
  const tenant = parsed.records.tenant[0]!;
  const setting = (record: TransferRecord, check: () => unknown) => {
    try {
      check();
    } catch (err) {
      if (err instanceof UserError) throw at(record, err.message);
      throw err;
    }
  };
  setting(tenant, () => validateSlug(String(tenant.row.slug)));
  setting(tenant, () => validateTimezone(String(tenant.row.timezone)));
  for (const account of parsed.records.channel_account) {
    if (account.row.channel === 'whatsapp') setting(account, () => validatePhoneNumberId(String(account.row.external_id)));
  }
  const version = tenant.row.prompt_version;
  if (version !== null && !parsed.records.prompt.some((p) => p.row.version === version)) throw at(tenant, `the prompt in force is version ${version}, which is not in the file`);

  const chunks = new Map<number, TransferRecord[]>();
  for (const chunk of parsed.records.kb_chunk) {
    const list = chunks.get(chunk.row.source_id as number) ?? [];
    // KnowledgeStore.writeSource numbers chunks 1..n in the order given: the file must already be that order.
    if (chunk.row.ordinal !== list.length + 1) throw at(chunk, `chunk ${String(chunk.row.ordinal)} of its knowledge source is out of order (expected ${list.length + 1})`);
    list.push(chunk);
    chunks.set(chunk.row.source_id as number, list);
  }
  for (const source of parsed.records.kb_source) {
    const n = chunks.get(source.row.id as number)?.length ?? 0;
    if (n !== source.row.chunk_count) throw at(source, `knowledge source "${String(source.row.name)}" should have ${String(source.row.chunk_count)} chunks but the file holds ${n}`);
  }
}

/**
 * What the target cell must allow, checked inside the import transaction (so a concurrent `tenant add` cannot slip
 * in between): the slug, every channel account id and every recorded Telegram desk message must be free.
 */
export function checkTargetFree(parsed: ParsedTransfer, store: TenantTransferStore): void {
  const slug = String(parsed.records.tenant[0]!.row.slug);
  if (store.slugTaken(slug)) {
    throw new UserError(
      `a tenant "${slug}" already exists on this cell, so the file was not imported`,
      `if it was imported before there is nothing to do (see botctl tenant show ${slug}); otherwise remove that tenant first with botctl tenant remove ${slug} --yes`,
    );
  }
  for (const account of parsed.records.channel_account) {
    const owner = store.accountOwner(String(account.row.channel), String(account.row.external_id));
    if (owner !== null) {
      throw new UserError(
        `${String(account.row.channel)} phone number id ${String(account.row.external_id)} of tenant "${slug}" already belongs to tenant "${owner}" on this cell, so the file was not imported`,
        `a number can be served by one tenant only: if "${owner}" no longer uses it, change or remove that tenant (botctl tenant update ${owner} --whatsapp-phone-number-id …, or botctl tenant remove ${owner} --yes)`,
      );
    }
  }
  for (const desk of parsed.records.desk_message) {
    const owner = store.deskMessageOwner(desk.row.chat_id as number, desk.row.telegram_message_id as number);
    if (owner !== null) {
      throw new UserError(
        `Telegram message ${String(desk.row.telegram_message_id)} of chat ${String(desk.row.chat_id)} is already recorded for tenant "${owner}" on this cell, so the file was not imported`,
        `two tenants cannot share a managers chat; give one of them another group (botctl tenant update ${owner} --telegram-chat-id …)`,
      );
    }
  }
}
