import { UserError } from '../../errors.js';
import { registerTenantSecret } from '../../observability/redact.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { Family, TransferRecord, TransferRow } from './format.js';
import type { ParsedTransfer } from './read-transfer-file.js';
import { atRestContext, describeSecret, SECRET_FAMILIES, secretFields, transportField } from './secret-fields.js';
import type { TransportBox } from './transport-secrets.js';

/**
 * Export: opens every secret of the snapshot with this cell's key and seals it again with the passphrase's box, in
 * place; without a box the fields are emptied (the file holds no secrets). Plain values are registered with the
 * log scrubber and never leave this function.
 */
export function sealSecretsForFile(rows: Record<Family, Record<string, unknown>[]>, cellSecrets: SecretBox, box: TransportBox | null, slug: string): void {
  for (const family of SECRET_FAMILIES) {
    for (const row of rows[family]) {
      for (const field of secretFields(family)) {
        const sealed = row[field] as Buffer | null;
        // Empty: a CRM connection that arrived here without its credential and was never given one.
        if (sealed === null || sealed.length === 0) {
          row[field] = null;
          continue;
        }
        const what = describeSecret(family, row as TransferRow, field);
        const plaintext = cellSecrets.open(sealed, atRestContext(family, row as TransferRow, field, slug, row.id as number), `${what} of tenant ${slug}`);
        registerTenantSecret(plaintext);
        row[field] = box ? box.seal(plaintext, transportField(family, row as TransferRow, field)) : null;
      }
    }
  }
}

/** The secrets of an import file, opened with the passphrase before the transaction, sealed for this cell while writing. */
export interface FileSecrets {
  /** A secret field of a row as this cell stores it (sealed with its key under the row's new id), or null when the file has none. */
  sealAtRest(family: Family, record: TransferRecord, field: string, newId: number): Buffer | null;
  /** A value made on this cell (a webhook's new signing secret when none travelled), sealed as `sealAtRest` would. */
  sealNew(value: string, family: Family, record: TransferRecord, field: string, newId: number): Buffer;
  /** Whether the file carries secrets at all (exported with a passphrase). */
  readonly carried: boolean;
}

/**
 * Import: opens every sealed value of the file with the passphrase's box first, so a wrong passphrase or an edited
 * value fails before anything is written. A file exported without secrets must hold none.
 */
export function openFileSecrets(parsed: ParsedTransfer, box: TransportBox | null, cellSecrets: SecretBox): FileSecrets {
  const slug = String(parsed.records.tenant[0]!.row.slug);
  const plain = new Map<string, string>();
  const key = (family: Family, id: unknown, field: string) => `${family}:${String(id)}:${field}`;
  for (const family of SECRET_FAMILIES) {
    for (const { row } of parsed.records[family]) {
      for (const field of secretFields(family)) {
        const value = row[field];
        if (value === null) continue;
        if (!box) throw new UserError(`the file says it holds no secrets, yet it has ${describeSecret(family, row, field)} sealed`, 'the file was edited; export the tenant again on the source cell');
        atRestContext(family, row, field, slug, row.id as number); // a secret this botctl cannot store is refused before the transaction
        plain.set(key(family, row.id, field), box.open(String(value), transportField(family, row, field)));
      }
    }
  }
  const seal = (value: string, family: Family, record: TransferRecord, field: string, newId: number) => cellSecrets.seal(value, atRestContext(family, record.row, field, slug, newId));
  return {
    carried: box !== null,
    sealAtRest(family, record, field, newId) {
      const value = plain.get(key(family, record.row.id, field));
      return value === undefined ? null : seal(value, family, record, field, newId);
    },
    sealNew: seal,
  };
}
