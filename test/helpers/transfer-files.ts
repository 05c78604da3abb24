import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The JSON Lines of an export file (gzipped or not), for inspecting or damaging it in tests. */
export function exportLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** Writes a changed copy of an export as plain JSON Lines; returns its path. */
export function writeVariant(path: string, lines: string[]): string {
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

type Envelope = { type: string; row: Record<string, unknown> };

/** The 1-based line number and parsed `{type, row}` of the first record matching `predicate`. */
export function findRecord(lines: string[], predicate: (record: Envelope) => boolean): { line: number; record: Envelope } {
  const index = lines.findIndex((l, i) => i > 0 && predicate(JSON.parse(l) as Envelope));
  if (index < 0) throw new Error('no such record in the export');
  return { line: index + 1, record: JSON.parse(lines[index]!) as Envelope };
}
