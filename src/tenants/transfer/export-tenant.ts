import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Cell } from '../../cell.js';
import { AuditStore, currentActor } from '../../storage/audit-store.js';
import { cellId } from '../../storage/cell-meta.js';
import { migrationStatus } from '../../storage/migrate.js';
import { TenantTransferStore } from '../../storage/tenant-transfer-store.js';
import { TenantService } from '../tenant-service.js';
import { sealSecretsForFile } from './carry-secrets.js';
import { FAMILIES, FORMAT_NAME, FORMAT_VERSION, SPECS, type Family, type TransferHeader } from './format.js';
import { TransportBox } from './transport-secrets.js';
import { writePrivateFile } from './write-private-file.js';

export interface ExportOptions {
  out: string;
  /** null: export without secrets (the target must be given them with `tenant update`). */
  passphrase: string | null;
  /** Replace an existing file at `out`. */
  replace: boolean;
  botctlVersion: string;
}

export interface ExportSummary {
  file: string;
  bytes: number;
  sha256: string;
  gzip: boolean;
  header: TransferHeader;
  tenantStatus: 'active' | 'disabled';
  /** Pending or running jobs of the tenant on this cell at the time of the export, per kind (never carried). */
  unfinishedJobs: Record<string, number>;
  /** Handovers waiting or taken: the target posts their cards again. */
  openHandovers: number;
  /** CRM connections marked broken: the events they hold stay on this cell (the outbox is not carried). */
  brokenCrm: string[];
}

/**
 * Writes one tenant with everything it owns to a private file (see format.ts), read in one transaction so the
 * file is a consistent snapshot, then records `tenant.export` in the audit log. Secrets are opened with this cell's
 * key and sealed again with the passphrase; without a passphrase they are left out, never written in the clear.
 */
export function exportTenant(cell: Cell, slug: string, options: ExportOptions, clock: () => number = Date.now): ExportSummary {
  const tenant = new TenantService(cell, clock).get(slug);
  const box = options.passphrase === null ? null : TransportBox.create(options.passphrase, tenant.slug);
  const store = new TenantTransferStore(cell.db);
  const file = resolve(options.out);

  const snapshot = cell.db.transaction(() => ({
    rows: Object.fromEntries(FAMILIES.map((family) => [family, store.readRows(SPECS[family], tenant.id, tenant.slug)])) as Record<Family, Record<string, unknown>[]>,
    unfinishedJobs: store.unfinishedJobs(tenant.id),
  }))();

  sealSecretsForFile(snapshot.rows, cell.secrets, box, tenant.slug);

  const header: TransferHeader = {
    type: 'header',
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    botctl_version: options.botctlVersion,
    schema_version: migrationStatus(cell.db).current,
    source_cell: { id: cellId(cell.db), hostname: hostname(), public_url: cell.config.publicUrl ?? null },
    exported_at: clock(),
    tenant: tenant.slug,
    secrets: box ? { mode: 'passphrase', kdf: box.kdf, check: box.checkValue() } : { mode: 'none' },
    counts: Object.fromEntries(FAMILIES.map((family) => [family, snapshot.rows[family].length])) as Record<Family, number>,
  };
  const lines = [JSON.stringify(header)];
  for (const family of FAMILIES) {
    for (const row of snapshot.rows[family]) lines.push(JSON.stringify({ type: family, row }));
  }
  const text = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const gzip = file.endsWith('.gz');
  const bytes = gzip ? gzipSync(text) : text;
  writePrivateFile(file, bytes, { replace: options.replace });
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  new AuditStore(cell.db).record({
    at: clock(), actor: currentActor(), action: 'tenant.export', tenantId: tenant.id, tenantSlug: tenant.slug,
    detail: { file, sha256, format_version: FORMAT_VERSION, secrets: header.secrets.mode, counts: header.counts },
  });
  const openHandovers = snapshot.rows.handover.filter((h) => h.status !== 'resolved').length;
  const brokenCrm = snapshot.rows.crm_connection.filter((c) => c.status === 'broken').map((c) => String(c.provider));
  return { file, bytes: bytes.length, sha256, gzip, header, tenantStatus: tenant.status, unfinishedJobs: snapshot.unfinishedJobs, openHandovers, brokenCrm };
}
