import type { Config } from './config/config.js';
import { UserError } from './errors.js';
import { registerSecret } from './observability/redact.js';
import { SecretBox } from './security/secret-box.js';
import { verifySecretKey } from './storage/cell-meta.js';
import { applyMigrations, assertNotNewer, migrationStatus, type Migration } from './storage/migrate.js';
import { openDatabase, type Db } from './storage/open-db.js';

/** An open cell: its configuration, its database (schema current) and the box for tenant secrets. */
export interface Cell {
  readonly config: Config;
  readonly db: Db;
  readonly secrets: SecretBox;
  /** Migrations applied while opening (the worker logs them). */
  readonly migrated: Migration[];
  close(): void;
}

export interface OpenCellOptions {
  /** `apply`: run pending migrations (worker, init). `require`: refuse a schema that is not current. */
  schema: 'apply' | 'require';
}

export function openCell(config: Config, options: OpenCellOptions): Cell {
  if (!config.secretKey) {
    throw new UserError('BOTCTL_SECRET_KEY is not set', 'run botctl init to write an env file with a fresh key, or point --env-file at the cell\'s env file');
  }
  registerSecret(config.secretKey.toString('base64'));
  for (const secret of [config.openaiApiKey, config.embeddingApiKey, config.telegramBotToken, config.whatsappAppSecret, config.whatsappVerifyToken]) registerSecret(secret);

  const db = openDatabase(config.dataDir);
  try {
    let migrated: Migration[] = [];
    if (options.schema === 'apply') {
      migrated = applyMigrations(db);
    } else {
      const status = migrationStatus(db);
      assertNotNewer(status);
      if (status.pending.length > 0) {
        throw new UserError(
          `the database is at schema version ${status.current} but this botctl needs ${status.latest}`,
          'run botctl migrate (the worker also migrates when it starts)',
        );
      }
    }
    const secrets = new SecretBox(config.secretKey);
    verifySecretKey(db, secrets);
    return { config, db, secrets, migrated, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
