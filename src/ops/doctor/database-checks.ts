import { migrationStatus } from '../../storage/migrate.js';
import { SecretBox } from '../../security/secret-box.js';
import { OpsStore } from '../../storage/ops-store.js';
import { fail, ok, skip, warn, type CheckResult, type DoctorContext } from './check.js';

const G = 'database';

/** Integrity, WAL, schema version and the secret key, on the read-only connection. */
export function databaseChecks(ctx: DoctorContext, openError: string | null): CheckResult[] {
  if (!ctx.db) {
    return [openError ? fail(G, 'database', openError, 'run botctl migrate to create it, or point BOTCTL_DATA_DIR at the folder holding botctl.db') : skip(G, 'database', 'needs a valid configuration')];
  }
  const db = ctx.db;
  const results: CheckResult[] = [];
  const quick = (db.prepare('PRAGMA quick_check').all() as { quick_check: string }[]).map((r) => r.quick_check);
  results.push(quick.length === 1 && quick[0] === 'ok'
    ? ok(G, 'integrity', 'PRAGMA quick_check: ok')
    : fail(G, 'integrity', `PRAGMA quick_check: ${quick.slice(0, 3).join('; ')}`, 'stop botctl (sudo systemctl stop botctl) and restore the last good copy: botctl backup restore'));
  const mode = String(db.pragma('journal_mode', { simple: true }));
  results.push(mode === 'wal' ? ok(G, 'WAL mode', 'journal_mode=wal')
    : fail(G, 'WAL mode', `journal_mode=${mode}; Litestream and concurrent reads need WAL`, 'restart the worker (sudo systemctl restart botctl), which sets WAL when it opens the database'));

  const status = migrationStatus(db);
  if (status.current > status.latest) results.push(fail(G, 'migrations', `the database is at version ${status.current}, newer than this botctl (${status.latest})`, 'upgrade botctl to the version that wrote it (sudo ./install.sh from a newer checkout)'));
  else if (status.pending.length > 0) results.push(fail(G, 'migrations', `at version ${status.current}, ${status.pending.length} pending (latest ${status.latest})`, 'run botctl migrate (the worker also migrates when it starts)'));
  else results.push(ok(G, 'migrations', `current (version ${status.current})`));
  if (status.changed.length > 0) results.push(warn(G, 'migrations', `applied migrations changed since: ${status.changed.map((m) => m.version).join(', ')}`, 'reinstall this botctl version from a clean checkout and report it'));

  results.push(secretKeyCheck(ctx));
  results.push(sharedChatsCheck(db));
  return results;
}

/**
 * A managers group serving two tenants (possible only in a cell from before migration 0013, which refuses new
 * sharing): one business's customers would be shown to the other's managers.
 */
function sharedChatsCheck(db: NonNullable<DoctorContext['db']>): CheckResult {
  const byChat = new Map<number, string[]>();
  for (const t of new OpsStore(db).tenantChats()) byChat.set(t.chatId, [...(byChat.get(t.chatId) ?? []), t.slug]);
  const shared = [...byChat.entries()].filter(([, slugs]) => slugs.length > 1);
  if (shared.length === 0) return ok(G, 'managers chats', 'each managers group serves one tenant');
  const [chat, slugs] = shared[0]!;
  return fail(G, 'managers chats', `${shared.length} managers group(s) serve several tenants: ${shared.map(([c, s]) => `${c} (${s.join(', ')})`).join('; ')}`,
    `give each business its own group: create one, add the bot, then botctl tenant update ${slugs[1]} --telegram-chat-id <its id> (now ${chat})`);
}

function secretKeyCheck(ctx: DoctorContext): CheckResult {
  if (!ctx.config?.secretKey) return skip(G, 'secret key', 'BOTCTL_SECRET_KEY is not set');
  const row = ctx.db!.prepare("SELECT value FROM cell_meta WHERE key = 'secret_key_check'").get() as { value: Buffer } | undefined;
  if (!row) return skip(G, 'secret key', 'the database has no key check yet (written the first time a command opens it with a key)');
  try {
    new SecretBox(ctx.config.secretKey).open(row.value, 'secret_key_check', 'the secrets of this database');
    return ok(G, 'secret key', 'BOTCTL_SECRET_KEY decrypts this database\'s secrets');
  } catch (err) {
    const e = err as Error & { hint?: string };
    return fail(G, 'secret key', e.message, e.hint ?? 'restore the original BOTCTL_SECRET_KEY in the env file');
  }
}
