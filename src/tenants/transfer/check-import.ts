import { basename } from 'node:path';
import { UserError } from '../../errors.js';
import type { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import { IG_ACCOUNT_ID, TELEGRAM_BOT_ID } from '../channel-connections.js';
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
    const id = String(account.row.external_id);
    if (account.row.channel === 'whatsapp') setting(account, () => validatePhoneNumberId(id));
    // As `tenant update` accepts them: an Instagram professional account id, a Telegram bot id (the token's digits).
    if (account.row.channel === 'instagram' && !IG_ACCOUNT_ID.test(id)) throw at(account, `"${id.slice(0, 40)}" is not an Instagram account id`);
    if (account.row.channel === 'telegram' && !TELEGRAM_BOT_ID.test(id)) throw at(account, `"${id.slice(0, 40)}" is not a Telegram bot id`);
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
 * in between): the slug, every channel account id (WhatsApp number, Instagram account, Telegram customer bot, which
 * must not be this cell's desk bot either) and every recorded Telegram desk message must be free.
 */
export function checkTargetFree(parsed: ParsedTransfer, store: TenantTransferStore, deskBotToken: string | null = null): void {
  const slug = String(parsed.records.tenant[0]!.row.slug);
  if (store.slugTaken(slug)) {
    throw new UserError(
      `a tenant "${slug}" already exists on this cell, so the file was not imported`,
      `if it was imported before there is nothing to do (see botctl tenant show ${slug}); otherwise remove that tenant first with botctl tenant remove ${slug} --yes`,
    );
  }
  const deskBotId = deskBotToken?.trim().split(':')[0] ?? null;
  for (const account of parsed.records.channel_account) {
    const [channel, id] = [String(account.row.channel), String(account.row.external_id)];
    if (channel === 'telegram' && id === deskBotId) {
      throw new UserError(
        `telegram customer bot ${id} of tenant "${slug}" is this cell's desk bot (TELEGRAM_BOT_TOKEN), so the file was not imported`,
        `one bot cannot answer customers and managers: give ${slug} its own customer bot on the source cell (botctl tenant update ${slug} --telegram-customer-bot-token …) and export again`,
      );
    }
    const owner = store.accountOwner(channel, id);
    if (owner !== null) throw accountTaken(channel, id, slug, owner);
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

/** A channel account of the file that a tenant of this cell already has: one account serves one tenant. */
function accountTaken(channel: string, id: string, slug: string, owner: string): UserError {
  const remove = `botctl tenant remove ${owner} --yes`;
  if (channel === 'instagram') {
    return new UserError(
      `instagram account ${id} of tenant "${slug}" already belongs to tenant "${owner}" on this cell, so the file was not imported`,
      `an Instagram account can be served by one tenant only: if "${owner}" no longer uses it, connect another account to it (botctl tenant update ${owner} --instagram-account-id … --instagram-token …) or remove it (${remove})`,
    );
  }
  if (channel === 'telegram') {
    return new UserError(
      `telegram customer bot ${id} of tenant "${slug}" already answers the customers of tenant "${owner}" on this cell, so the file was not imported`,
      `a bot answers one tenant's customers only: if "${owner}" no longer uses it, give it another bot (botctl tenant update ${owner} --telegram-customer-bot-token …) or remove it (${remove})`,
    );
  }
  return new UserError(
    `${channel} phone number id ${id} of tenant "${slug}" already belongs to tenant "${owner}" on this cell, so the file was not imported`,
    `a number can be served by one tenant only: if "${owner}" no longer uses it, change or remove that tenant (botctl tenant update ${owner} --whatsapp-phone-number-id …, or ${remove})`,
  );
}
