import { UserError } from '../../errors.js';
import { FAMILIES, FORMAT_NAME, FORMAT_VERSION, inVersion, OPTIONAL_FAMILIES, READABLE_VERSIONS, type TransferHeader } from './format.js';

/**
 * Parses line 1 of an export file. A file that is not an export, or one from a newer botctl, is refused here with
 * what to do, before any other line is looked at.
 */
export function readHeader(line: string, name: string): TransferHeader {
  const notExport = () => new UserError(`${name} is not a botctl tenant export (line 1 is not its header)`, 'give the file botctl tenant export wrote');
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw notExport();
  }
  if (typeof value !== 'object' || value === null || value.type !== 'header' || value.format !== FORMAT_NAME) throw notExport();

  const version = value.format_version;
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    const newer = typeof version === 'number' && version > FORMAT_VERSION;
    throw new UserError(
      `${name} is in tenant export format version ${String(version)}, which this botctl (reading ${READABLE_VERSIONS.join(', ')}) does not know`,
      newer ? 'upgrade botctl on this cell to the version of the source cell (see its botctl_version in the header), then import again' : 'export the tenant again with a current botctl',
    );
  }
  const fail = (problem: string): never => {
    throw new UserError(`line 1 of ${name}: ${problem}`, 'the file is damaged or was edited; export the tenant again on the source cell');
  };
  if (typeof value.tenant !== 'string' || !value.tenant) fail('the header names no tenant');
  if (!Number.isSafeInteger(value.exported_at)) fail('the header has no export time');
  if (typeof value.botctl_version !== 'string' || !Number.isSafeInteger(value.schema_version)) fail('the header has no botctl or schema version');
  const cell = value.source_cell as Record<string, unknown> | null;
  if (typeof cell !== 'object' || cell === null || typeof cell.id !== 'string' || typeof cell.hostname !== 'string') fail('the header does not name the source cell');
  const counts = value.counts as Record<string, unknown> | null;
  if (typeof counts !== 'object' || counts === null) fail('the header has no counts');
  for (const family of FAMILIES) {
    // A family added after the file was written: the file has none (the upgrade of an older file while reading).
    if (counts![family] === undefined && (OPTIONAL_FAMILIES.has(family) || !inVersion(family, version))) counts![family] = 0;
    if (!Number.isSafeInteger(counts![family]) || (counts![family] as number) < 0) fail(`the header has no count of ${family} records`);
  }
  const secrets = value.secrets as Record<string, unknown> | null;
  if (typeof secrets !== 'object' || secrets === null) fail('the header does not say how secrets are sealed');
  if (secrets!.mode === 'passphrase') {
    const kdf = secrets!.kdf as Record<string, unknown> | null;
    if (typeof kdf !== 'object' || kdf === null || typeof kdf.salt !== 'string' || typeof secrets!.check !== 'string') fail('the header lacks the passphrase settings');
  } else if (secrets!.mode !== 'none') {
    fail(`secrets are sealed in a way ("${String(secrets!.mode)}") this botctl does not know`);
  }
  return value as unknown as TransferHeader;
}
