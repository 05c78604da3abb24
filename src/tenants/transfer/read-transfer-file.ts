import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../errors.js';
import { FAMILIES, hasId, inVersion, LATE_REFS, SPECS, upgradeRow, type Family, type TransferHeader, type TransferRecord } from './format.js';
import { readHeader } from './read-header.js';
import { referenceTarget, validateRow } from './validate-record.js';

export interface ParsedTransfer {
  file: string;
  sha256: string;
  header: TransferHeader;
  records: Record<Family, TransferRecord[]>;
}

const REEXPORT = 'the file is damaged or was edited; export the tenant again on the source cell (botctl tenant export)';

/**
 * Reads and checks a whole export file before anything is written: the header (format and version), every line
 * (JSON, known family, in format order, exactly the known fields with their types, unique ids, references to earlier
 * lines of the right family) and the header's counts (a truncated file is refused). Errors name the line.
 * The file is held in memory: a tenant of a few hundred thousand messages is a few hundred MB at most.
 */
export function readTransferFile(path: string): ParsedTransfer {
  const name = basename(path);
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `there is no file ${path}` : `${path} cannot be read (${code ?? 'error'})`, 'give the path of the file botctl tenant export wrote');
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  let bytes = raw;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch {
      throw new UserError(`${name} is not a complete gzip file (it is truncated or damaged)`, 'copy it again from the source cell, and compare its sha256 with the one botctl tenant export printed');
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${name} is not a botctl tenant export (it is not UTF-8 text)`, 'give the file botctl tenant export wrote');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new UserError(`${name} is empty`, 'give the file botctl tenant export wrote');

  const header = readHeader(lines[0]!, name);
  const records = Object.fromEntries(FAMILIES.map((f) => [f, []])) as unknown as Record<Family, TransferRecord[]>;
  const ids = Object.fromEntries(FAMILIES.map((f) => [f, new Set<number>()])) as unknown as Record<Family, Set<number>>;
  const late: { line: number; field: string; target: Family; id: number }[] = [];
  let familyIndex = 0;

  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const fail = (problem: string): never => {
      throw new UserError(`line ${line} of ${name}: ${problem}`, REEXPORT);
    };
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      fail('it is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('it is not a record');
    const type = (value as { type?: unknown }).type;
    const family = FAMILIES.find((f) => f === type);
    if (!family || !inVersion(family, header.format_version)) fail(`"${String(type)}" is not a kind of record of format version ${header.format_version}`);
    const index = FAMILIES.indexOf(family!);
    if (index < familyIndex) fail(`the ${family} record comes after the ${FAMILIES[familyIndex]} records; records are in a fixed order`);
    familyIndex = index;

    const spec = SPECS[family!];
    const envelope = value as { row?: unknown };
    if (typeof envelope.row !== 'object' || envelope.row === null || Array.isArray(envelope.row) || Object.keys(envelope).length !== 2) fail(`the ${family} record is not {"type", "row"}`);
    const checked = validateRow(spec, upgradeRow(header.format_version, family!, envelope.row as Record<string, unknown>));
    if ('problem' in checked) fail(checked.problem);
    const { row } = checked as { row: TransferRecord['row'] };
    const id = row.id as number;
    if (!hasId(spec) && records[family!].length > 0) fail(`a second ${family} record (a tenant has one)`);
    if (hasId(spec) && ids[family!].has(id)) fail(`a second ${family} record with id ${id}`);
    for (const [field, fieldType] of Object.entries(spec.fields)) {
      const target = referenceTarget(fieldType) as Family | null;
      if (target === null || row[field] === null) continue;
      if (LATE_REFS.has(`${family}.${field}`)) late.push({ line, field, target, id: row[field] as number });
      else if (!ids[target].has(row[field] as number)) fail(`field "${field}" refers to ${target} ${row[field]}, which is not earlier in the file`);
    }
    if (hasId(spec)) ids[family!].add(id);
    records[family!].push({ type: family!, line, row });
  }

  for (const ref of late) {
    if (!ids[ref.target].has(ref.id)) throw new UserError(`line ${ref.line} of ${name}: field "${ref.field}" refers to ${ref.target} ${ref.id}, which is not in the file`, REEXPORT);
  }
  for (const family of FAMILIES) {
    if (records[family].length !== header.counts[family]) {
      throw new UserError(
        `${name} holds ${records[family].length} ${family} records but its header says ${header.counts[family]} (the file is truncated or was edited)`,
        'copy it again from the source cell, or export the tenant again',
      );
    }
  }
  const tenant = records.tenant[0];
  if (records.tenant.length !== 1 || !tenant) throw new UserError(`${name} holds ${records.tenant.length} tenant records instead of one`, REEXPORT);
  if (tenant.row.slug !== header.tenant) throw new UserError(`line ${tenant.line} of ${name}: the tenant is "${tenant.row.slug}" but the header says "${header.tenant}"`, REEXPORT);
  return { file: path, sha256, header, records };
}
