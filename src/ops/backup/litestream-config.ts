import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/config.js';
import { readEnvFile } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { templatesDir } from '../../paths.js';
import { databasePath } from '../../storage/open-db.js';
import { NOTIFY_VARIABLES } from '../../supervisor/sd-notify.js';

export const LITESTREAM_TEMPLATE = resolve(templatesDir, 'litestream.yml');
/** Where `botctl run` renders the config: beside the database, where `botctl watch` looks for the metrics `addr`. */
export const LITESTREAM_CONFIG_FILE = 'litestream.yml';

export interface LitestreamSettings {
  dbPath: string;
  /** LITESTREAM_REPLICA_URL: an absolute path, `file:///path`, or `s3://…` and the other Litestream schemes. */
  replicaUrl: string;
  /** `host:port` of Litestream's metrics, or null for none. */
  metricsAddr: string | null;
}

/** A local replica's folder (`/path` or `file:///path`), or null for a remote one. */
export function localReplicaDir(replicaUrl: string): string | null {
  if (replicaUrl.startsWith('/')) return resolve(replicaUrl);
  if (replicaUrl.startsWith('file://')) return fileURLToPath(replicaUrl);
  return null;
}

/**
 * Creates a local replica's folder and checks that it is writable, so a read-only path (systemd's ProtectSystem
 * outside ReadWritePaths, a wrong owner) is one clear error at start instead of a Litestream crash loop.
 */
export function ensureLocalReplicaWritable(replicaUrl: string): void {
  const dir = localReplicaDir(replicaUrl);
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(
      `the replica folder ${dir} (LITESTREAM_REPLICA_URL) is not writable (${code})`,
      `create it for the botctl user (sudo install -d -o botctl -g botctl ${dir}); under systemd also allow it: systemctl edit botctl, [Service] ReadWritePaths=${dir}`,
    );
  }
}

/**
 * Fills templates/litestream.yml. Values are written as JSON strings, which YAML reads as double-quoted scalars,
 * so no path or URL can break the file.
 */
export function renderLitestreamConfig(settings: LitestreamSettings, template = readFileSync(LITESTREAM_TEMPLATE, 'utf8')): string {
  const local = localReplicaDir(settings.replicaUrl);
  if (local && (local === resolve(settings.dbPath) || resolve(settings.dbPath).startsWith(`${local}/`))) {
    throw new UserError(`LITESTREAM_REPLICA_URL (${settings.replicaUrl}) is the database itself or a folder holding it`, 'set it to a folder of its own, ideally on another disk, e.g. /var/backups/botctl');
  }
  const values: Record<string, string> = {
    metricsAddr: JSON.stringify(settings.metricsAddr ?? ''),
    dbPath: JSON.stringify(settings.dbPath),
    replicaKey: local ? 'path' : 'url',
    replica: JSON.stringify(local ?? settings.replicaUrl),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`templates/litestream.yml names {{${name}}}, which botctl does not fill in`);
    return value;
  });
}

/** Renders the config for this cell into `path` (mode 0600: it names where the backups are). */
export function writeLitestreamConfig(path: string, config: Pick<Config, 'dataDir' | 'litestreamReplicaUrl'>, metricsAddr: string | null): string {
  if (!config.litestreamReplicaUrl) {
    throw new UserError('LITESTREAM_REPLICA_URL is not set', 'set it in the env file to an s3://bucket/path URL or an absolute local path, e.g. /var/backups/botctl');
  }
  writeFileSync(path, renderLitestreamConfig({ dbPath: databasePath(config.dataDir), replicaUrl: config.litestreamReplicaUrl, metricsAddr }), { mode: 0o600 });
  return path;
}

/** Variables of the env file that Litestream reads itself (replica credentials), which botctl's loader does not keep. */
const LITESTREAM_OWN = /^(AWS_|LITESTREAM_|AZURE_|GOOGLE_APPLICATION_CREDENTIALS$)/;

/**
 * Litestream's environment: ours without systemd's notify variables, plus the env file's credentials variables —
 * under systemd they are in the environment already (EnvironmentFile=), but an operator running
 * `botctl backup restore --env-file …` by hand has them only in the file. The environment wins over the file.
 */
export function litestreamEnv(config: Pick<Config, 'envFile'>, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const fromFile = config.envFile ? Object.entries(readEnvFile(config.envFile)).filter(([name]) => LITESTREAM_OWN.test(name)) : [];
  const result: NodeJS.ProcessEnv = { ...Object.fromEntries(fromFile), ...env };
  for (const name of NOTIFY_VARIABLES) delete result[name];
  return result;
}
