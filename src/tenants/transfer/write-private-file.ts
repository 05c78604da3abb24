import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../errors.js';

/**
 * Writes a file only its owner can read (mode 0600 from the first byte: it is created that way, never chmod-ed
 * down after the content is in), completely or not at all: a temporary file in the same folder is synced and then
 * renamed over the target, so a crash or a full disk never leaves half an export under the final name.
 */
export function writePrivateFile(path: string, bytes: Uint8Array, options: { replace: boolean }): void {
  if (!existsSync(dirname(path))) throw new UserError(`the folder ${dirname(path)} does not exist`, 'create it, or give --out a path in an existing folder');
  if (existsSync(path) && !options.replace) throw new UserError(`${path} already exists`, 'give --out another file name, or add --force to replace it');
  const temporary = `${path}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'wx', 0o600);
    // umask can only remove bits; this makes the mode exact whatever the umask.
    chmodSync(temporary, 0o600);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(temporary, { force: true });
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`the export could not be written to ${path} (${code})`, code === 'ENOSPC' ? 'free disk space, or write it to another disk' : 'check that the folder is writable by the user running botctl');
  }
  try {
    // The rename is durable once the folder's entry is on disk.
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Some filesystems refuse to open a folder for syncing; the file itself is synced already.
  }
}
