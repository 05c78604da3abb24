import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { templatesDir } from '../paths.js';
import { generateSecretKey } from '../security/secret-box.js';
import { readEnvFile } from './load.js';
import { VARIABLES } from './variables.js';

export interface InitResult {
  envFile: string;
  dataDir: string;
  /** True when --force kept the key of the file it replaced (the database's secrets stay readable). */
  keptKey: boolean;
}

/**
 * Writes a fresh env file (mode 0600, a new secret key and verify token) and creates the data folder (0700).
 * Refuses to replace an existing file unless `force`; even then the existing secret key is kept, because a new
 * key would make every stored tenant token unreadable.
 */
export function writeEnvFile(envFile: string, dataDir: string, force: boolean): InitResult {
  let secretKey = generateSecretKey();
  let keptKey = false;
  if (existsSync(envFile)) {
    if (!force) throw new UserError(`${envFile} already exists`, 'keep it, or run botctl init --force to rewrite it (its secret key is kept)');
    const previous = readEnvFile(envFile)[VARIABLES.secretKey.name];
    if (previous && VARIABLES.secretKey.schema.safeParse(previous).success) {
      secretKey = previous;
      keptKey = true;
    }
  }
  const text = readFileSync(join(templatesDir, 'botctl.env'), 'utf8')
    .replaceAll('{{dataDir}}', dataDir)
    .replaceAll('{{secretKey}}', secretKey)
    .replaceAll('{{verifyToken}}', randomBytes(18).toString('base64url'));
  mkdirSync(dirname(envFile), { recursive: true });
  const tmp = `${envFile}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, envFile);
  chmodSync(envFile, 0o600);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  return { envFile, dataDir, keptKey };
}
