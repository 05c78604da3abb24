import type { Cell } from '../../cell.js';
import { UserError } from '../../errors.js';
import { Queue } from '../../jobs/queue.js';
import { AuditStore, currentActor } from '../../storage/audit-store.js';
import { JobStore } from '../../storage/job-store.js';
import { KnowledgeStore } from '../../storage/knowledge-store.js';
import { durableTransaction } from '../../storage/open-db.js';
import { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import { openFileSecrets } from './carry-secrets.js';
import { checkContent, checkTargetFree } from './check-import.js';
import type { Family, TransferHeader } from './format.js';
import { missingSecrets, type MissingSecret } from './missing-secrets.js';
import { queueImportedWork, type QueuedWork } from './queue-imported-work.js';
import { readTransferFile } from './read-transfer-file.js';
import { TransportBox } from './transport-secrets.js';
import { writeTenantRows } from './write-tenant-rows.js';

export interface ImportOptions {
  passphrase: string | null;
  /** Check everything, write inside the transaction, then roll it back. */
  dryRun: boolean;
}

export interface ImportSummary {
  tenant: string;
  status: 'active' | 'disabled';
  source: TransferHeader['source_cell'];
  exportedAt: number;
  counts: Record<Family, number>;
  phoneNumberIds: string[];
  /** Every channel account: WhatsApp numbers, Instagram accounts, Telegram customer bots. */
  accounts: { channel: string; externalId: string }[];
  /** Open handovers, whose cards the worker posts again in the managers chat. */
  cardsQueued: number;
  /** Bookings waiting for a decision (new cards) and customer reminders not sent yet, queued here. */
  bookingCardsQueued: number;
  remindersQueued: number;
  /** What arrived without its secret (file exported without them), each with how to set it. */
  withoutSecrets: MissingSecret[];
  dryRun: boolean;
}

class DryRunDone extends Error {}

/**
 * Adds a tenant from an export file, all or nothing: the file is read and checked completely, secrets are opened
 * with the passphrase, then ONE transaction checks that the slug and channel accounts are free, writes every row
 * with new ids (secrets sealed with this cell's key), queues what the carried state needs (cards, booking cards,
 * reminders; no other job is carried: the source's pending work stays there), and records `tenant.import`.
 */
export function importTenant(cell: Cell, path: string, options: ImportOptions, clock: () => number = Date.now): ImportSummary {
  const parsed = readTransferFile(path);
  checkContent(parsed);
  const { header, records } = parsed;
  const tenant = records.tenant[0]!.row;
  const slug = String(tenant.slug);
  const box = header.secrets.mode === 'passphrase' ? openBox(header.secrets, slug, options.passphrase) : null;
  const secrets = openFileSecrets(parsed, box, cell.secrets);

  const store = new TenantTransferStore(cell.db);
  const queue = new Queue(new JobStore(cell.db), null, clock);
  const now = clock();
  let queued: QueuedWork = { cards: 0, bookingCards: 0, reminders: 0 };
  let withoutSecrets: MissingSecret[] = [];
  try {
    durableTransaction(cell.db, () => {
      checkTargetFree(parsed, store, cell.config.telegramBotToken ?? null);
      const maps = writeTenantRows(parsed, { store, knowledge: new KnowledgeStore(cell.db), secrets, now });
      const tenantId = maps.tenant.values().next().value!;
      queued = queueImportedWork(parsed, maps, queue, tenantId, now);
      withoutSecrets = secrets.carried ? [] : missingSecrets(parsed, maps);
      new AuditStore(cell.db).record({
        at: now, actor: currentActor(), action: 'tenant.import', tenantId, tenantSlug: slug,
        detail: {
          from_cell: header.source_cell, exported_at: header.exported_at, botctl_version: header.botctl_version, format_version: header.format_version,
          file_sha256: parsed.sha256, counts: header.counts, cards_queued: queued.cards, booking_cards_queued: queued.bookingCards, reminders_queued: queued.reminders,
        },
      });
      if (options.dryRun) throw new DryRunDone();
    });
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
  }
  const accounts = records.channel_account.map((a) => ({ channel: String(a.row.channel), externalId: String(a.row.external_id) }));
  return {
    tenant: slug,
    status: tenant.status as 'active' | 'disabled',
    source: header.source_cell,
    exportedAt: header.exported_at,
    counts: header.counts,
    phoneNumberIds: accounts.filter((a) => a.channel === 'whatsapp').map((a) => a.externalId),
    accounts,
    cardsQueued: queued.cards,
    bookingCardsQueued: queued.bookingCards,
    remindersQueued: queued.reminders,
    withoutSecrets,
    dryRun: options.dryRun,
  };
}

function openBox(secrets: Extract<TransferHeader['secrets'], { mode: 'passphrase' }>, slug: string, passphrase: string | null): TransportBox {
  if (passphrase === null) {
    throw new UserError('the secrets in this file are sealed with a passphrase and none was given', 'give the passphrase it was exported with in a file (--passphrase-file) or in BOTCTL_TRANSFER_PASSPHRASE');
  }
  return TransportBox.open(passphrase, secrets.kdf, secrets.check, slug);
}
