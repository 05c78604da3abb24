import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { templatesDir } from '../paths.js';
import { generateSecretKey } from '../security/secret-box.js';
import { readEnvFile } from './load.js';
import { VARIABLES, VARIABLE_NAMES } from './variables.js';
import { DB_FILE } from '../storage/open-db.js';

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
  let previous: Record<string, string> = {};
  if (existsSync(envFile)) {
    if (!force) throw new UserError(`${envFile} already exists`, 'keep it, or run botctl init --force to rewrite it (its secret key and settings are kept)');
    previous = readEnvFile(envFile);
    const key = previous[VARIABLES.secretKey.name];
    if (key && VARIABLES.secretKey.schema.safeParse(key).success) {
      secretKey = key;
      keptKey = true;
    }
  } else if (existsSync(join(dataDir, DB_FILE))) {
    // A fresh key would make every stored tenant token unreadable: this database needs the env file it came with.
    throw new UserError(`${join(dataDir, DB_FILE)} already exists and ${envFile} does not`, 'restore the env file that belongs to this database (its BOTCTL_SECRET_KEY), or choose an empty --data-dir');
  }
  let text = readFileSync(join(templatesDir, 'botctl.env'), 'utf8')
    .replaceAll('{{dataDir}}', dataDir)
    .replaceAll('{{secretKey}}', secretKey)
    .replaceAll('{{verifyToken}}', previous[VARIABLES.whatsappVerifyToken.name] ?? randomBytes(18).toString('base64url'));
  // --force keeps every setting the operator had (the data folder given now wins).
  for (const [name, value] of Object.entries(previous)) {
    if (!VARIABLE_NAMES.has(name) || name === VARIABLES.dataDir.name || name === VARIABLES.secretKey.name) continue;
    const line = `${name}=${value}`;
    const pattern = new RegExp(`^#?${name}=.*$`, 'm');
    text = pattern.test(text) ? text.replace(pattern, () => line) : `${text}${line}\n`;
  }
  mkdirSync(dirname(envFile), { recursive: true });
  const tmp = `${envFile}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, envFile);
  chmodSync(envFile, 0o600);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  return { envFile, dataDir, keptKey };
}
