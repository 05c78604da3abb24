import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SecretBox } from '../../src/security/secret-box.js';
import type { TempCell } from './cli.js';

/**
 * Opens a secret a cell stores with the cell's own key, as the worker does: proof it was sealed for this cell.
 * `sql` selects one sealed BLOB as `v` (its `?` bound to `params`).
 */
export function openStoredSecret(cell: TempCell, sql: string, params: unknown[], context: string): string {
  const db = new Database(join(cell.dataDir, 'botctl.db'), { readonly: true });
  try {
    const row = db.prepare(sql).get(...params) as { v: Buffer } | undefined;
    if (!row) throw new Error(`no stored secret: ${sql}`);
    return new SecretBox(Buffer.from(cell.secretKey, 'base64')).open(row.v, context);
  } finally {
    db.close();
  }
}
