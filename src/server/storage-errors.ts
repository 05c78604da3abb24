/**
 * True for storage failures that can pass by themselves (a full disk, an I/O error, a lock, a read-only moment):
 * worth a 5xx so the sender retries. Anything else (a constraint, a value too big, a bug) would fail the same way on
 * every retry.
 */
export function isTransientStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT)/.test(code);
}
