import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { knownMigrations } from '../../src/storage/migrate.js';
import { botctl, initCell } from '../helpers/cli.js';
import { snapshot } from '../helpers/db.js';

const LATEST = knownMigrations().at(-1)!.version;
const CLI_TIMEOUT = 60_000;

function envValue(file: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
}

/** A copy of an env file with one variable replaced (or added), in its own folder. */
function withVariable(file: string, name: string, value: string): string {
  const text = readFileSync(file, 'utf8');
  const line = `${name}=${value}`;
  const next = new RegExp(`^${name}=.*$`, 'm').test(text) ? text.replace(new RegExp(`^${name}=.*$`, 'm'), line) : `${text}\n${line}\n`;
  const path = join(mkdtempSync(join(tmpdir(), 'botctl-env-')), 'botctl.env');
  writeFileSync(path, next, { mode: 0o600 });
  return path;
}

/** The single line a refused command prints: `Error: <what is wrong>: <the fix>.` */
function expectOneSentenceError(stderr: string): string {
  const text = stderr.trim();
  expect(text.split('\n')).toHaveLength(1);
  expect(text).toMatch(/^Error: .+: .+\.$/);
  return text;
}

describe('botctl init', () => {
  test('writes an env file (0600) with a fresh key, a data folder (0700) and a database at the latest schema', { timeout: CLI_TIMEOUT }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botctl-init-'));
    const envFile = join(dir, 'etc', 'botctl.env');
    const dataDir = join(dir, 'var', 'data');
    const result = await botctl(['init', '--env-file', envFile, '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Wrote ${envFile} (mode 0600) with a fresh secret key.`);

    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const key = envValue(envFile, 'BOTCTL_SECRET_KEY')!;
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(envValue(envFile, 'BOTCTL_DATA_DIR')).toBe(dataDir);
    expect(envValue(envFile, 'WHATSAPP_VERIFY_TOKEN')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(result.stdout).not.toContain(key);
    expect(readFileSync(envFile, 'utf8')).not.toContain('{{');
    expect(readdirSync(dirname(envFile))).toEqual(['botctl.env']);

    const db = new Database(join(dataDir, 'botctl.db'), { readonly: true });
    try {
      const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      expect(versions).toEqual(knownMigrations().map((m) => m.version));
      expect(versions.at(-1)).toBe(LATEST);
      expect(db.prepare("SELECT key FROM cell_meta WHERE key = 'secret_key_check'").get()).toEqual({ key: 'secret_key_check' });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }

    // Two cells never share a key.
    const other = await initCell();
    expect(other.secretKey).not.toBe(key);
  });

  test('refuses to overwrite without --force and changes nothing; --force rewrites the file but keeps the key', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const added = await botctl(['tenant', 'add', 'acme', '--name', 'Acme', '--timezone', 'UTC', '--whatsapp-phone-number-id', '1065403522', '--whatsapp-token', 'EAAinitForceToken1234567890'], cell.env);
    expect(added.exitCode).toBe(0);
    writeFileSync(cell.envFile, `${readFileSync(cell.envFile, 'utf8')}# an operator's note\n`);
    chmodSync(cell.envFile, 0o644);
    const bytes = readFileSync(cell.envFile);
    const rows = snapshot(cell.dataDir);

    const again = await botctl(['init', '--env-file', cell.envFile, '--data-dir', cell.dataDir]);
    expect(again.exitCode).not.toBe(0);
    const error = expectOneSentenceError(again.stderr);
    expect(error).toContain(`${cell.envFile} already exists`);
    expect(error).toContain('botctl init --force');
    expect(again.stdout).toBe('');
    expect(readFileSync(cell.envFile).equals(bytes)).toBe(true);
    expect(statSync(cell.envFile).mode & 0o777).toBe(0o644);
    expect(snapshot(cell.dataDir)).toEqual(rows);

    const forced = await botctl(['init', '--force', '--env-file', cell.envFile, '--data-dir', cell.dataDir]);
    expect(forced.stderr).toBe('');
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toContain('keeping its existing secret key');
    const rewritten = readFileSync(cell.envFile, 'utf8');
    expect(rewritten).not.toContain("an operator's note");
    expect(envValue(cell.envFile, 'BOTCTL_SECRET_KEY')).toBe(cell.secretKey);
    expect(statSync(cell.envFile).mode & 0o777).toBe(0o600);
    expect(snapshot(cell.dataDir)).toEqual(rows);

    // The tenant's token is still readable with the kept key.
    const show = await botctl(['tenant', 'show', 'acme', '--json'], cell.env);
    expect(show.stderr).toBe('');
    expect(show.exitCode).toBe(0);
    expect(JSON.parse(show.stdout).whatsapp.token).toBe('set');
  });

  test('refuses a data folder whose database was written with another key, and leaves no env file with a key that cannot read it', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const rows = snapshot(cell.dataDir);
    // The operator lost or moved the env file and runs init again against the same data folder.
    const newEnvFile = join(mkdtempSync(join(tmpdir(), 'botctl-init-')), 'botctl.env');
    const result = await botctl(['init', '--env-file', newEnvFile, '--data-dir', cell.dataDir]);
    expect(result.exitCode).not.toBe(0);
    expect(expectOneSentenceError(result.stderr)).toContain('BOTCTL_SECRET_KEY');
    expect(snapshot(cell.dataDir)).toEqual(rows);
    // A refused init changes nothing: no env file holding a fresh key that can never decrypt this database
    // (otherwise the next init says "already exists" and init --force keeps the useless key).
    expect(existsSync(newEnvFile)).toBe(false);
  });

  test('refuses a relative --data-dir without writing anything', { timeout: CLI_TIMEOUT }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botctl-init-'));
    const result = await botctl(['init', '--env-file', join(dir, 'botctl.env'), '--data-dir', 'data']);
    expect(result.exitCode).not.toBe(0);
    expect(expectOneSentenceError(result.stderr)).toContain('--data-dir "data" is not an absolute path');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('botctl config show', () => {
  test('prints every variable with its source and masks every secret, in text and JSON', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const verifyToken = envValue(cell.envFile, 'WHATSAPP_VERIFY_TOKEN')!;
    const secrets = {
      OPENAI_API_KEY: 'sk-test-abcdefghijklmnopqrstuvwxyz0123',
      TELEGRAM_BOT_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      WHATSAPP_APP_SECRET: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    };
    const env = { ...cell.env, ...secrets, BOTCTL_HTTP_PORT: '9191' };
    const text = await botctl(['config', 'show'], env);
    const json = await botctl(['config', 'show', '--json'], env);
    for (const result of [text, json]) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      for (const secret of [cell.secretKey, verifyToken, ...Object.values(secrets)]) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stdout).not.toContain(secret.slice(0, 12));
      }
    }
    expect(text.stdout).toContain(`env file: ${cell.envFile}`);
    expect(text.stdout).toMatch(/^BOTCTL_HTTP_PORT\s+9191\s+env$/m);
    expect(text.stdout).toMatch(/^BOTCTL_SECRET_KEY\s+•+\S{0,4}\s+file$/m);

    const shown = JSON.parse(json.stdout) as { envFile: string; variables: { name: string; value: string | null; source: string | null; describe: string }[] };
    expect(shown.envFile).toBe(cell.envFile);
    const byName = Object.fromEntries(shown.variables.map((v) => [v.name, v]));
    expect(byName.BOTCTL_HTTP_PORT).toMatchObject({ value: '9191', source: 'env' });
    expect(byName.BOTCTL_DATA_DIR).toMatchObject({ value: cell.dataDir, source: 'file' });
    expect(byName.BOTCTL_LLM_MODEL).toMatchObject({ value: 'gpt-4o-mini', source: 'default' });
    expect(byName.BOTCTL_PUBLIC_URL).toMatchObject({ value: null, source: null });
    for (const name of ['BOTCTL_SECRET_KEY', 'WHATSAPP_VERIFY_TOKEN', ...Object.keys(secrets)]) {
      expect(byName[name]!.value, name).toMatch(/^••••/);
      expect(byName[name]!.value!.length, name).toBeLessThanOrEqual(8);
    }
  });
});

describe('botctl config check', () => {
  test('exits 0 on the file init wrote, listing what is left off as warnings', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const result = await botctl(['config', 'check'], cell.env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`✓ configuration is valid (${cell.envFile})`);
    expect(result.stdout).toContain('! OPENAI_API_KEY is not set');
    expect(result.stdout).not.toContain(cell.secretKey);
  });

  test('a line of the env file that is not a setting fails config check with its line number, without showing its value', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const lines = readFileSync(cell.envFile, 'utf8').split('\n');
    const at = lines.length;
    writeFileSync(cell.envFile, `${lines.join('\n')}\nWHATSAPP_APP_SECRET: s3cr3t-value-never-shown\n`);
    const result = await botctl(['config', 'check'], cell.env);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(expectOneSentenceError(result.stderr)).toBe(`Error: the env file ${cell.envFile} has a line that is not a setting: line ${at + 1} (it starts with WHATSAPP_APP_SECRET but has no "=" right after the name): write each setting as NAME=value with no spaces around "=", start a comment with #, or remove the line; then check with: botctl config check.`);
    expect(result.stderr).not.toContain('s3cr3t');
  });

  test('a malformed BOTCTL_HTTP_PORT in the file, the environment or a flag fails with one sentence naming it and the fix; precedence decides which value is read', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const badFile = withVariable(cell.envFile, 'BOTCTL_HTTP_PORT', 'abc');
    const fix = 'set it to a port number from 1 to 65535';

    const inFile = await botctl(['config', 'check', '--env-file', badFile]);
    expect(inFile.exitCode).not.toBe(0);
    expect(inFile.stdout).toBe('');
    expect(expectOneSentenceError(inFile.stderr)).toBe(`Error: BOTCTL_HTTP_PORT in ${badFile} is malformed ("abc" is not valid): ${fix}.`);

    const inEnv = await botctl(['config', 'check'], { ...cell.env, BOTCTL_HTTP_PORT: '70000' });
    expect(inEnv.exitCode).not.toBe(0);
    expect(expectOneSentenceError(inEnv.stderr)).toBe(`Error: BOTCTL_HTTP_PORT in the environment is malformed ("70000" is not valid): ${fix}.`);

    // The environment overrides the file: a good value there hides the malformed one in the file.
    const overridden = await botctl(['config', 'check', '--env-file', badFile], { BOTCTL_HTTP_PORT: '9090' });
    expect(overridden.stderr).toBe('');
    expect(overridden.exitCode).toBe(0);
    const shown = await botctl(['config', 'show', '--json', '--env-file', badFile, '--data-dir', '/srv/from-flag'], { BOTCTL_HTTP_PORT: '9090', BOTCTL_DATA_DIR: '/srv/from-env' });
    expect(shown.exitCode).toBe(0);
    const byName = Object.fromEntries((JSON.parse(shown.stdout).variables as { name: string; value: string; source: string }[]).map((v) => [v.name, v]));
    expect(byName.BOTCTL_HTTP_PORT).toMatchObject({ value: '9090', source: 'env' });
    expect(byName.BOTCTL_DATA_DIR).toMatchObject({ value: '/srv/from-flag', source: 'flag' });
    expect(byName.BOTCTL_SECRET_KEY!.source).toBe('file');

    const badFlag = await botctl(['config', 'check', '--data-dir', 'relative/data'], cell.env);
    expect(badFlag.exitCode).not.toBe(0);
    expect(expectOneSentenceError(badFlag.stderr)).toBe('Error: BOTCTL_DATA_DIR given as a flag is malformed ("relative/data" is not valid): set it to an absolute path such as /var/lib/botctl.');
  });

  test('a missing key, a malformed key and a missing env file each fail with the variable or file and the fix, never the value', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const noKey = withVariable(cell.envFile, 'BOTCTL_SECRET_KEY', '');
    const missing = await botctl(['config', 'check', '--env-file', noKey]);
    expect(missing.exitCode).not.toBe(0);
    const missingText = expectOneSentenceError(missing.stderr);
    expect(missingText).toContain('BOTCTL_SECRET_KEY is not set');
    expect(missingText).toContain('openssl rand -base64 32');

    const shortKey = Buffer.alloc(16, 7).toString('base64');
    const malformed = await botctl(['config', 'check'], { ...cell.env, BOTCTL_SECRET_KEY: shortKey });
    expect(malformed.exitCode).not.toBe(0);
    const malformedText = expectOneSentenceError(malformed.stderr);
    expect(malformedText).toContain('BOTCTL_SECRET_KEY in the environment is malformed (its value is not valid)');
    expect(malformed.stderr + malformed.stdout).not.toContain(shortKey);

    const nowhere = join(cell.dir, 'nope.env');
    const noFile = await botctl(['config', 'check', '--env-file', nowhere]);
    expect(noFile.exitCode).not.toBe(0);
    const noFileText = expectOneSentenceError(noFile.stderr);
    expect(noFileText).toContain(`the env file ${nowhere} does not exist`);
    expect(noFileText).toContain('botctl init');
  });
});

describe('botctl migrate', () => {
  test('--status --json on a fresh cell reports the current version as the latest, nothing pending', { timeout: CLI_TIMEOUT }, async () => {
    const cell = await initCell();
    const result = await botctl(['migrate', '--status', '--json'], cell.env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({ current: LATEST, latest: LATEST, newerThanKnown: false, pending: [], changed: [] });
    expect(status.applied.map((m: { version: number }) => m.version)).toEqual(knownMigrations().map((m) => m.version));

    const apply = await botctl(['migrate'], cell.env);
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain(`schema is current (version ${LATEST})`);
  });

  test('--status ("change nothing") does not create a database in a data folder that has none', { timeout: CLI_TIMEOUT }, async () => {
    const empty = mkdtempSync(join(tmpdir(), 'botctl-nodb-'));
    const result = await botctl(['migrate', '--status', '--json', '--data-dir', empty]);
    expect(readdirSync(empty)).toEqual([]);
    // Either it reports version 0 with everything pending, or it says there is no database yet.
    if (result.exitCode === 0) expect(JSON.parse(result.stdout)).toMatchObject({ current: 0, latest: LATEST });
    else expect(expectOneSentenceError(result.stderr)).toContain('there is no database');
  });
});

describe('help', () => {
  test('botctl --help lists the topics config, jobs and tenant with their descriptions', { timeout: CLI_TIMEOUT }, async () => {
    const result = await botctl(['--help']);
    expect(result.exitCode).toBe(0);
    const topics = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).oclif.topics as Record<string, { description: string }>;
    const flat = result.stdout.replace(/\s+/g, ' ');
    expect(result.stdout).toMatch(/^TOPICS$/m);
    for (const topic of ['config', 'jobs', 'tenant']) {
      expect(topics[topic]?.description, topic).toBeTruthy();
      expect(flat).toContain(`${topic} ${topics[topic]!.description}`);
    }
  });

  test('every command under dist/commands prints an EXAMPLES section with --help', { timeout: CLI_TIMEOUT }, async () => {
    const root = join(packageRoot, 'dist', 'commands');
    const ids = (readdirSync(root, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.js'))
      .map((file) => file.replace(/\.js$/, '').split('/'))
      // oclif names commands/watch/index.js "watch".
      .map((parts) => (parts.at(-1) === 'index' ? parts.slice(0, -1) : parts));
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(ids.map((id) => id.join(' '))).toEqual(expect.arrayContaining(['init', 'migrate', 'config show', 'config check', 'tenant add', 'tenant remove', 'jobs list']));
    const results = await Promise.all(ids.map(async (id) => ({ id: id.join(' '), result: await botctl([...id, '--help']) })));
    for (const { id, result } of results) {
      expect(result.exitCode, `${id} --help exit code (${result.stderr})`).toBe(0);
      expect(result.stdout, `${id} --help`).toMatch(/^EXAMPLES$/m);
      expect(result.stdout, `${id} --help`).toContain(`$ botctl ${id}`);
    }
  });
});
