import { randomUUID } from 'node:crypto';
import { SecretBox } from '../security/secret-box.js';
import type { Db } from './open-db.js';

const KEY_CHECK = 'secret_key_check';
const KEY_CHECK_TEXT = 'botctl secret key check';

/**
 * Binds the database to its BOTCTL_SECRET_KEY: the first keyed open stores a sealed check value, every later
 * open decrypts it, so a wrong key fails at once with a clear error instead of when a reply is sent.
 */
export function verifySecretKey(db: Db, box: SecretBox): void {
  const row = db.prepare('SELECT value FROM cell_meta WHERE key = ?').get(KEY_CHECK) as { value: Buffer } | undefined;
  if (!row) {
    db.prepare('INSERT OR IGNORE INTO cell_meta (key, value) VALUES (?, ?)').run(KEY_CHECK, box.seal(KEY_CHECK_TEXT, KEY_CHECK));
    return;
  }
  box.open(row.value, KEY_CHECK, 'the secrets of this database');
}

const CELL_ID = 'cell_id';

/**
 * The cell's stable random id (created on first use), naming the cell in tenant export files and in the audit
 * rows of the cell a tenant moved to. Not a secret.
 */
export function cellId(db: Db): string {
  const row = db.prepare('SELECT value FROM cell_meta WHERE key = ?').get(CELL_ID) as { value: Buffer | string } | undefined;
  if (row) return String(row.value);
  db.prepare('INSERT OR IGNORE INTO cell_meta (key, value) VALUES (?, ?)').run(CELL_ID, Buffer.from(randomUUID(), 'utf8'));
  return String((db.prepare('SELECT value FROM cell_meta WHERE key = ?').get(CELL_ID) as { value: Buffer | string }).value);
}
