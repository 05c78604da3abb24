import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';

export const PASSPHRASE_ENV = 'BOTCTL_TRANSFER_PASSPHRASE';

/**
 * The export passphrase from a file (first line) or BOTCTL_TRANSFER_PASSPHRASE. Never a flag value: those end up
 * in shell history and in `ps` for every user of the machine to read.
 */
export function readPassphrase(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`the passphrase file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'give a readable file holding the passphrase on its first line');
    }
    const first = text.split(/\r?\n/)[0] ?? '';
    if (!first) throw new UserError(`the passphrase file ${file} is empty`, 'write the passphrase on its first line');
    return first;
  }
  const value = env[PASSPHRASE_ENV];
  return value ? value : null;
}
