import type { FamilySpec, FieldType, TransferRow } from './format.js';

/**
 * Checks one parsed line against its family: exactly the known fields, each of its type. Returns the row, or the
 * first problem as a phrase for "line N: …". References are checked by the reader, which knows the earlier lines.
 */
export function validateRow(spec: FamilySpec, value: Record<string, unknown>): { row: TransferRow } | { problem: string } {
  const row: TransferRow = {};
  for (const [field, type] of Object.entries(spec.fields)) {
    if (!(field in value)) return { problem: `the ${spec.family} record has no field "${field}"` };
    const problem = checkField(type, value[field]);
    if (problem) return { problem: `field "${field}" of the ${spec.family} record ${problem}` };
    row[field] = value[field] as string | number | null;
  }
  const unknown = Object.keys(value).find((k) => !(k in spec.fields));
  if (unknown !== undefined) return { problem: `the ${spec.family} record has a field "${unknown}" this format version does not have` };
  return { row };
}

function checkField(type: FieldType, value: unknown): string | null {
  const nullable = type.endsWith('?') || type.startsWith('ref?:');
  if (value === null) return nullable ? null : 'is null';
  const base = type.startsWith('ref') ? 'ref' : type.replace('?', '');
  switch (base) {
    case 'id':
    case 'ref':
      return Number.isSafeInteger(value) && (value as number) > 0 ? null : 'is not a positive whole number';
    case 'int':
      return Number.isSafeInteger(value) ? null : 'is not a whole number';
    case 'text':
      return typeof value === 'string' ? null : 'is not text';
    case 'secret':
      return typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? null : 'is not a sealed value';
    case 'json':
      if (typeof value !== 'string') return 'is not JSON text';
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'is not valid JSON text';
      }
    default:
      return `has an unknown type ${type}`;
  }
}

/** The family a reference field points to (`ref?:handover` → handover), or null for other fields. */
export function referenceTarget(type: FieldType): string | null {
  const match = /^ref\??:(.+)$/.exec(type);
  return match ? match[1]! : null;
}
