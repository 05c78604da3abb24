import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { migrationsDir } from '../paths.js';
import { MIGRATION_STEPS, type MigrationStep } from './migration-steps.js';
import type { Db } from './open-db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Of the SQL file only. A step is frozen like its file (see migration-steps.ts) but has no checksum. */
  checksum: string;
  /** Runs after `sql` in the same transaction, before the version is recorded (see migration-steps.ts). */
  step?: MigrationStep;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: number;
}

export interface MigrationStatus {
  current: number;
  latest: number;
  applied: AppliedMigration[];
  pending: Migration[];
  /** Applied migrations whose file changed since (a file edited after release: a bug to report). */
  changed: AppliedMigration[];
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * The numbered SQL files shipped with this botctl, in order, each with its TypeScript step if it has one. A step
 * registered for a version without a file of that version and name is refused: it would never run.
 */
export function knownMigrations(dir = migrationsDir, steps: ReadonlyMap<number, MigrationStep> = MIGRATION_STEPS): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: FILE_PATTERN.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }): Migration => {
      const sql = readFileSync(join(dir, file), 'utf8');
      const version = Number(match[1]);
      const step = steps.get(version);
      return { version, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16), ...(step ? { step } : {}) };
    })
    .sort((a, b) => a.version - b.version)
    .map((migration, index, all) => {
      if (index > 0 && all[index - 1]!.version === migration.version) {
        throw new Error(`two migrations are numbered ${migration.version} in ${dir}; reinstall botctl`);
      }
      return migration;
    });
  for (const [version, step] of steps) {
    const migration = migrations.find((m) => m.version === version);
    if (migration?.name !== step.name) {
      throw new Error(`the TypeScript step of migration ${version} (${step.name}) has no file ${String(version).padStart(4, '0')}_${step.name}.sql in ${dir}${migration ? ` (found ${migration.name})` : ''}`);
    }
  }
  return migrations;
}

function ensureLedger(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
}

function appliedMigrations(db: Db): AppliedMigration[] {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!ledger) return [];
  return db
    .prepare('SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
    .all() as AppliedMigration[];
}

export function migrationStatus(db: Db, known = knownMigrations()): MigrationStatus {
  const applied = appliedMigrations(db);
  const appliedVersions = new Set(applied.map((m) => m.version));
  const byVersion = new Map(known.map((m) => [m.version, m]));
  return {
    current: applied.at(-1)?.version ?? 0,
    latest: known.at(-1)?.version ?? 0,
    applied,
    pending: known.filter((m) => !appliedVersions.has(m.version)),
    changed: applied.filter((m) => byVersion.has(m.version) && byVersion.get(m.version)!.checksum !== m.checksum),
  };
}

/** Refuses a database written by a newer botctl: running old code on a newer schema can corrupt data. */
export function assertNotNewer(status: MigrationStatus): void {
  if (status.current > status.latest) {
    throw new UserError(
      `the database is at schema version ${status.current}, newer than this botctl knows (${status.latest})`,
      'upgrade botctl to the version that wrote it (sudo ./install.sh from a newer checkout), or restore a backup made by this version',
    );
  }
}

/**
 * Applies pending migrations (up to `to`), each in its own transaction: its SQL, then its TypeScript step if any,
 * then its ledger row, so a version is recorded only when all of it is done. Returns what ran.
 */
export function applyMigrations(db: Db, options: { to?: number; known?: Migration[] } = {}): Migration[] {
  const known = options.known ?? knownMigrations();
  ensureLedger(db);
  const status = migrationStatus(db, known);
  assertNotNewer(status);
  const target = options.to ?? status.latest;
  const ran: Migration[] = [];
  for (const migration of status.pending.filter((m) => m.version <= target)) {
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      migration.step?.run(db);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
        .run(migration.version, migration.name, migration.checksum, Date.now());
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new UserError(
        `migration ${migration.version} (${migration.name}) failed and was rolled back: ${(err as Error).message}`,
        'the database is unchanged at the previous version; run botctl doctor, and report this with the message above',
      );
    }
    ran.push(migration);
  }
  return ran;
}
