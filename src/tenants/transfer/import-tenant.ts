import type { Cell } from '../../cell.js';
import { JOB } from '../../conversation/job-kinds.js';
import { UserError } from '../../errors.js';
import { Queue } from '../../jobs/queue.js';
import { AuditStore, currentActor } from '../../storage/audit-store.js';
import { JobStore } from '../../storage/job-store.js';
import { KnowledgeStore } from '../../storage/knowledge-store.js';
import { durableTransaction } from '../../storage/open-db.js';
import { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import { atRestContext, SECRET_FIELDS, transportField } from './channel-secrets.js';
import { checkContent, checkTargetFree } from './check-import.js';
import type { Family, TransferHeader } from './format.js';
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
  /** Open handovers, whose cards the worker posts again in the managers chat. */
  cardsQueued: number;
  /** Channel accounts that arrived without their secrets (file exported without them). */
  withoutSecrets: string[];
  dryRun: boolean;
}

// As the desk registers its jobs (src/desk/desk.ts): a Telegram outage of hours must not kill a card.
const DESK_MAX_ATTEMPTS = 25;

class DryRunDone extends Error {}

/**
 * Adds a tenant from an export file, all or nothing: the file is read and checked completely, secrets are opened
 * with the passphrase and sealed with this cell's key, then ONE transaction checks that the slug and numbers are
 * free, writes every row with new ids, queues a new card for each open handover (no other job is carried: the
 * source's pending work stays there), and records `tenant.import`.
 */
export function importTenant(cell: Cell, path: string, options: ImportOptions, clock: () => number = Date.now): ImportSummary {
  const parsed = readTransferFile(path);
  checkContent(parsed);
  const { header, records } = parsed;
  const tenant = records.tenant[0]!.row;
  const slug = String(tenant.slug);

  const sealedSecrets = new Map<number, Partial<Record<string, Buffer>>>();
  const withoutSecrets: string[] = [];
  const box = header.secrets.mode === 'passphrase' ? openBox(header.secrets, slug, options.passphrase) : null;
  for (const { row } of records.channel_account) {
    const channel = String(row.channel);
    const sealed: Partial<Record<string, Buffer>> = {};
    for (const field of SECRET_FIELDS) {
      const value = row[field];
      if (value === null) continue;
      if (!box) throw new UserError(`the file says it holds no secrets, yet it has a sealed ${field}`, 'the file was edited; export the tenant again on the source cell');
      sealed[field] = cell.secrets.seal(box.open(String(value), transportField(channel, field)), atRestContext(channel, field, slug));
    }
    if (!box) withoutSecrets.push(`${channel} ${String(row.external_id)}`);
    sealedSecrets.set(row.id as number, sealed);
  }

  const store = new TenantTransferStore(cell.db);
  const queue = new Queue(new JobStore(cell.db), null, clock);
  const now = clock();
  const openHandovers = records.handover.filter((h) => h.row.status !== 'resolved');
  try {
    durableTransaction(cell.db, () => {
      checkTargetFree(parsed, store);
      const maps = writeTenantRows(parsed, { store, knowledge: new KnowledgeStore(cell.db), sealedSecrets, now });
      const tenantId = maps.tenant.values().next().value!;
      for (const h of openHandovers) {
        const handoverId = maps.handover.get(h.row.id as number)!;
        const traceId = `handover-${handoverId}`;
        queue.enqueue({ kind: JOB.postHandoverCard, tenantId, payload: { handoverId }, traceId, maxAttempts: DESK_MAX_ATTEMPTS });
        // The "no reply yet" reminder of a taken handover was a pending job on the source; it decides itself when it is due.
        if (h.row.status === 'taken') {
          queue.enqueue({ kind: JOB.deskRemind, tenantId, payload: { handoverId, reminder: 'no_reply', n: 1 }, uniqueKey: `remind-reply:${handoverId}`, runAt: now + 1, traceId, maxAttempts: DESK_MAX_ATTEMPTS });
        }
      }
      new AuditStore(cell.db).record({
        at: now, actor: currentActor(), action: 'tenant.import', tenantId, tenantSlug: slug,
        detail: { from_cell: header.source_cell, exported_at: header.exported_at, botctl_version: header.botctl_version, file_sha256: parsed.sha256, counts: header.counts, cards_queued: openHandovers.length },
      });
      if (options.dryRun) throw new DryRunDone();
    });
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
  }
  return {
    tenant: slug,
    status: tenant.status as 'active' | 'disabled',
    source: header.source_cell,
    exportedAt: header.exported_at,
    counts: header.counts,
    phoneNumberIds: records.channel_account.map((a) => String(a.row.external_id)),
    cardsQueued: openHandovers.length,
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
