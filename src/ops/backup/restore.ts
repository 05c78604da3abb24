import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { inspectDatabase, type DatabaseInspection } from './inspect-database.js';
import type { LitestreamCli } from './litestream-cli.js';

export interface RestoreOptions {
  /** Where to write the restored database; defaults to the cell's own path, which must not exist. */
  output?: string;
  /** Restore the state at this moment (RFC 3339) instead of the latest. */
  timestamp?: string;
}

export interface RestoreResult extends DatabaseInspection {
  output: string;
}

/**
 * Restores the replica into a new file and checks it. Never overwrites: not the live database, not any existing
 * file, and not a path with a stale -wal/-shm beside it (SQLite would replay that old WAL into the restored file).
 */
export async function restoreBackup(cli: LitestreamCli, options: RestoreOptions = {}): Promise<RestoreResult> {
  const output = resolve(options.output ?? cli.dbPath);
  const isLive = output === resolve(cli.dbPath);
  if (existsSync(output)) {
    throw isLive
      ? new UserError(`${output} is the live database and exists; restore refuses to overwrite it`, `restore elsewhere with --output /tmp/botctl-restored.db; to replace the live one, stop the cell (systemctl stop botctl), move ${output} and its -wal/-shm files away, then run botctl backup restore again`)
      : new UserError(`${output} already exists; restore never overwrites a file`, 'give --output a path that does not exist yet');
  }
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(output + suffix)) {
      throw new UserError(`${output}${suffix} exists without its database; SQLite would replay it into the restored file`, `move ${output}${suffix} away (it belongs to a database that is gone), then run the restore again`);
    }
  }
  if (!existsSync(dirname(output)) || !statSync(dirname(output)).isDirectory()) {
    throw new UserError(`the folder ${dirname(output)} does not exist`, `create it (mkdir -p ${dirname(output)}) or give --output a path in an existing folder`);
  }
  if (options.timestamp !== undefined && Number.isNaN(Date.parse(options.timestamp))) {
    throw new UserError(`--timestamp ${JSON.stringify(options.timestamp)} is not a time`, 'write it in RFC 3339, e.g. --timestamp 2026-01-31T18:00:00Z');
  }

  const result = await cli.run('restore', ['-o', output, ...(options.timestamp ? ['-timestamp', options.timestamp] : [])]);
  // Litestream restores into OUTPUT.tmp and renames it, leaving that file's -wal and -shm behind.
  for (const leftover of ['.tmp', '.tmp-wal', '.tmp-shm']) rmSync(output + leftover, { force: true });
  if (result.error) {
    rmSync(output, { force: true });
    throw restoreFailure(cli.replicaUrl, result.error, options.timestamp);
  }
  if (!existsSync(output)) throw restoreFailure(cli.replicaUrl, 'it produced no file', options.timestamp);
  const inspection = inspectDatabase(output, { writable: true });
  return { output, ...inspection };
}

function restoreFailure(replica: string, error: string, timestamp: string | undefined): UserError {
  if (/no matching backups|no snapshots? (available|found)|no generation/i.test(error)) {
    return new UserError(
      `there is no backup in ${replica}${timestamp ? ` at ${timestamp}` : ''}`,
      timestamp ? 'pick a later --timestamp (botctl backup status shows what the replica holds)' : 'check LITESTREAM_REPLICA_URL, and that botctl run has replicated at least once (botctl backup status)',
    );
  }
  return new UserError(`the backup in ${replica} could not be restored (${error})`, 'the replica may be damaged or unreachable: check its storage and credentials, or restore an earlier moment with --timestamp');
}
