import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { openCell } from '../../src/cell.js';
import { loadConfig } from '../../src/config/load.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { botctl, initCell, type CliResult, type TempCell } from '../helpers/cli.js';
import { rawDatabaseBytes, snapshot } from '../helpers/db.js';

const CLI_TIMEOUT = 60_000;
const ACME_PHONE = '106540352242922';
const ACME_TOKEN = 'EAAGm0PX4ZCpsBAKZBZCacmeTokenValue1234567890abcdefXYZ';
const ACME_APP_SECRET = 'f3a9c1e07b2d4e6f8a0b1c2d3e4f5a6b';
const OTHER_TOKEN = 'EAAGm0PX4ZCpsBAKZBZCotherTokenValue0987654321zyxwvu';

function acmeArgs(slug = 'acme'): string[] {
  return [
    'tenant', 'add', slug, '--name', 'Smile Dental «Улыбка»', '--timezone', 'Asia/Almaty', '--locale', 'ru',
    '--whatsapp-phone-number-id', ACME_PHONE, '--whatsapp-token', ACME_TOKEN, '--whatsapp-app-secret', ACME_APP_SECRET,
    '--telegram-chat-id', '-1001234567890', '--business-hours', 'mon-fri 09:00-18:00; sat 10:00-14:00', '--remind-after', '3m',
  ];
}

async function ok(args: string[], cell: TempCell, env: Record<string, string> = {}): Promise<CliResult> {
  const result = await botctl(args, { ...cell.env, ...env });
  expect(result.stderr, `botctl ${args.join(' ')}`).toBe('');
  expect(result.exitCode, `botctl ${args.join(' ')}`).toBe(0);
  return result;
}

function query<T>(cell: TempCell, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(cell.dataDir, 'botctl.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  tenant_id: number | null;
  tenant_slug: string | null;
  detail: string;
}

const auditRows = (cell: TempCell) => query<AuditRow>(cell, 'SELECT * FROM audit_log ORDER BY id');

/** Opens the cell in this process the way the worker does, to read a tenant's secrets back. */
function readSecrets(cell: TempCell, slug: string): { token: string | null; appSecret: string | null } {
  const config = loadConfig({ envFile: cell.envFile, env: {}, require: ['secretKey'] });
  const opened = openCell(config, { schema: 'require' });
  try {
    const service = new TenantService(opened);
    const tenant = service.get(slug);
    return { token: service.whatsappToken(tenant), appSecret: service.whatsappAppSecret(tenant) };
  } finally {
    opened.close();
  }
}

function expectAbsent(haystack: Buffer, secret: string, where: string): void {
  expect(haystack.includes(Buffer.from(secret, 'utf8')), `${where} holds the secret in UTF-8`).toBe(false);
  expect(haystack.includes(Buffer.from(secret, 'utf16le')), `${where} holds the secret in UTF-16`).toBe(false);
  expect(haystack.includes(Buffer.from(Buffer.from(secret).toString('base64'))), `${where} holds the secret in base64`).toBe(false);
  expect(haystack.includes(Buffer.from(secret.slice(10, 30))), `${where} holds part of the secret`).toBe(false);
}

describe('tenant secrets at rest', () => {
  let cell: TempCell;
  beforeAll(async () => {
    cell = await initCell();
  }, CLI_TIMEOUT);

  test('tenant add seals the token and app secret: absent from the database, its WAL and the output; read back intact in-process', { timeout: CLI_TIMEOUT }, async () => {
    const dbPath = join(cell.dataDir, 'botctl.db');
    // A second connection keeps the CLI's commit in the WAL file (the last connection to close would checkpoint it away).
    const holder = new Database(dbPath);
    let walBytes: Buffer;
    try {
      holder.prepare('SELECT count(*) FROM tenants').get();
      const added = await ok(acmeArgs(), cell);
      expect(added.stdout).toContain('Added tenant acme.');
      expect(added.stdout).toContain(`phone number id ${ACME_PHONE}, token set, app secret own`);
      for (const secret of [ACME_TOKEN, ACME_APP_SECRET]) expect(added.stdout + added.stderr).not.toContain(secret);

      const wal = `${dbPath}-wal`;
      expect(existsSync(wal)).toBe(true);
      walBytes = readFileSync(wal);
      // The new rows live in the WAL, and the scan covers it.
      expect(walBytes.includes(Buffer.from(ACME_PHONE))).toBe(true);
      const raw = rawDatabaseBytes(cell.dataDir);
      expect(raw.length).toBeGreaterThanOrEqual(walBytes.length + readFileSync(dbPath).length);
      expect(raw.includes(Buffer.from('Smile Dental «Улыбка»'))).toBe(true);
      for (const secret of [ACME_TOKEN, ACME_APP_SECRET]) {
        expectAbsent(walBytes, secret, 'the WAL');
        expectAbsent(raw, secret, 'the database files');
      }
    } finally {
      holder.close();
    }
    // After the last connection closed, the data is checkpointed into botctl.db: still no plaintext.
    const raw = rawDatabaseBytes(cell.dataDir);
    expect(raw.includes(Buffer.from(ACME_PHONE))).toBe(true);
    for (const secret of [ACME_TOKEN, ACME_APP_SECRET]) expectAbsent(raw, secret, 'the checkpointed database');

    const [account] = query<{ access_token_enc: Buffer; app_secret_enc: Buffer }>(cell, "SELECT access_token_enc, app_secret_enc FROM channel_accounts WHERE external_id = ?", ACME_PHONE);
    expect(Buffer.isBuffer(account!.access_token_enc)).toBe(true);
    expect(account!.access_token_enc.length).toBeGreaterThan(Buffer.byteLength(ACME_TOKEN));

    expect(readSecrets(cell, 'acme')).toEqual({ token: ACME_TOKEN, appSecret: ACME_APP_SECRET });
  });

  test('tenant show --json says the token is set and the app secret is the tenant\'s own, never the values', { timeout: CLI_TIMEOUT }, async () => {
    const show = await ok(['tenant', 'show', 'acme', '--json'], cell);
    const view = JSON.parse(show.stdout);
    expect(view.whatsapp).toEqual({ phoneNumberId: ACME_PHONE, token: 'set', appSecret: 'own', status: 'ok', statusDetail: null });
    expect(show.stdout).not.toContain(ACME_TOKEN);
    expect(show.stdout).not.toContain(ACME_APP_SECRET);
  });

  test('a different BOTCTL_SECRET_KEY is refused with a message naming it, no tenant data and no garbage; nothing changes', { timeout: CLI_TIMEOUT }, async () => {
    const before = snapshot(cell.dataDir);
    const wrongKey = randomBytes(32).toString('base64');
    for (const args of [['tenant', 'list'], ['tenant', 'list', '--json'], ['tenant', 'show', 'acme', '--json']]) {
      const result = await botctl(args, { ...cell.env, BOTCTL_SECRET_KEY: wrongKey });
      expect(result.exitCode, args.join(' ')).not.toBe(0);
      expect(result.stdout, args.join(' ')).toBe('');
      const error = result.stderr.trim();
      expect(error.split('\n')).toHaveLength(1);
      expect(error).toContain('BOTCTL_SECRET_KEY does not decrypt');
      expect(error).toContain('restore the original BOTCTL_SECRET_KEY');
      for (const secret of [wrongKey, cell.secretKey, ACME_TOKEN, ACME_APP_SECRET]) expect(result.stderr).not.toContain(secret);
    }
    expect(snapshot(cell.dataDir)).toEqual(before);
    // The right key still works.
    const list = await ok(['tenant', 'list'], cell);
    expect(list.stdout).toContain('acme');
  });
});

describe('refused inputs exit non-zero with their message and change nothing', () => {
  let cell: TempCell;
  beforeAll(async () => {
    cell = await initCell();
    await ok(acmeArgs(), cell);
    await ok(['tenant', 'add', 'beta', '--name', 'Beta Cafe', '--timezone', 'Europe/Moscow'], cell);
  }, CLI_TIMEOUT);

  const add = (slug: string, ...more: string[]) => ['tenant', 'add', slug, '--name', 'Gamma', '--timezone', 'UTC', ...more];
  const update = (slug: string, ...more: string[]) => ['tenant', 'update', slug, ...more];

  const CASES: [string, string[], string][] = [
    ['invalid slug (upper case, underscore)', add('Bad_Slug'), '"Bad_Slug" is not a valid tenant slug: use 1–40 lowercase letters, digits and dashes'],
    ['invalid slug (41 characters)', add('a'.repeat(41)), `"${'a'.repeat(41)}" is not a valid tenant slug`],
    // A long input is cut where it is echoed, saying how much was left out.
    ['a 10,000-character slug is not echoed back whole', add('x'.repeat(10_000)), `"${'x'.repeat(60)}… (9940 more characters)" is not a valid tenant slug`],
    ['a 10,000-character name', ['tenant', 'add', 'gamma', '--name', 'N'.repeat(10_000), '--timezone', 'UTC'], '--name is 10000 characters long, more than 100: give the short name customers know'],
    ['a name with a line break', update('acme', '--name', 'Smile\nDental'), '--name contains control characters'],
    ['a managers group of another tenant on add', add('gamma', '--telegram-chat-id', '-1001234567890'), 'Telegram group -1001234567890 is already the managers chat of tenant "acme": give each business its own group'],
    ['a managers group of another tenant on update', update('beta', '--telegram-chat-id', '-1001234567890'), 'Telegram group -1001234567890 is already the managers chat of tenant "acme"'],
    ['invalid slug (trailing dash)', add('gamma-'), '"gamma-" is not a valid tenant slug'],
    ['invalid slug on update', update('Bad_Slug', '--locale', 'en'), '"Bad_Slug" is not a valid tenant slug'],
    ['duplicate slug', add('acme'), 'a tenant "acme" already exists: pick another slug'],
    ['duplicate phone number id on add', add('gamma', '--whatsapp-phone-number-id', ACME_PHONE, '--whatsapp-token', OTHER_TOKEN), `WhatsApp phone number id ${ACME_PHONE} already belongs to tenant "acme"`],
    ['duplicate phone number id on update of another tenant', update('beta', '--whatsapp-phone-number-id', ACME_PHONE, '--whatsapp-token', OTHER_TOKEN), `WhatsApp phone number id ${ACME_PHONE} already belongs to tenant "acme"`],
    ['malformed phone number id', add('gamma', '--whatsapp-phone-number-id', 'abc123', '--whatsapp-token', OTHER_TOKEN), '--whatsapp-phone-number-id "abc123" is not a WhatsApp phone number id'],
    // The phone number itself is masked in the message like every phone number botctl prints.
    ['a phone number given as the phone number id', add('gamma', '--whatsapp-phone-number-id', '+77011234567', '--whatsapp-token', OTHER_TOKEN), '" is not a WhatsApp phone number id: copy the numeric "Phone number ID" from the WhatsApp > API Setup page of the Meta app (not the phone number itself)'],
    ['phone number id without a token', add('gamma', '--whatsapp-phone-number-id', '1065403599'), '--whatsapp-token is required with --whatsapp-phone-number-id'],
    ['token without a phone number id', add('gamma', '--whatsapp-token', OTHER_TOKEN), '--whatsapp-phone-number-id is required with a WhatsApp token or app secret'],
    ['token for a tenant without WhatsApp', update('beta', '--whatsapp-token', OTHER_TOKEN), 'tenant "beta" has no WhatsApp number yet'],
    ['blank token', update('acme', '--whatsapp-token', '   '), '--whatsapp-token is empty'],
    ['missing --name', ['tenant', 'add', 'gamma', '--timezone', 'UTC'], '--name is required'],
    ['missing --timezone', ['tenant', 'add', 'gamma', '--name', 'Gamma'], '--timezone is required'],
    ['blank --name on update', update('acme', '--name', '  '), '--name cannot be empty'],
    ['unknown timezone', ['tenant', 'add', 'gamma', '--name', 'Gamma', '--timezone', 'Mars/Olympus_Mons'], '"Mars/Olympus_Mons" is not a known timezone: use an IANA name with --timezone'],
    ['timezone abbreviation', update('acme', '--timezone', 'EST'), '"EST" is an abbreviation, not a timezone name'],
    ['unknown locale', add('gamma', '--locale', 'de'), '"de" is not a supported locale: use one of ru, kk, en with --locale'],
    ['unknown locale on update', update('acme', '--locale', 'fr'), '"fr" is not a supported locale'],
    ['malformed --telegram-chat-id', add('gamma', '--telegram-chat-id', 'abc'), '--telegram-chat-id "abc" is not a Telegram group chat id'],
    ['zero --telegram-chat-id written as -0', add('zero-chat', '--telegram-chat-id', '-0'), '--telegram-chat-id "-0" is not a Telegram group chat id'],
    ['positive --telegram-chat-id (a person, not a group)', update('acme', '--telegram-chat-id', '123456789'), '--telegram-chat-id "123456789" is not a Telegram group chat id'],
    ['malformed --owner-chat-id', update('acme', '--owner-chat-id', '0'), '--owner-chat-id "0" is not a Telegram chat id'],
    ['malformed --remind-after', add('gamma', '--remind-after', '5x'), '--remind-after "5x" is not a duration between 1s and 24h: write it like 30s, 5m or 2h'],
    ['too short --remind-every', update('acme', '--remind-every', '500ms'), '--remind-every "500ms" is not a duration between 1s and 24h'],
    ['too long --reply-timeout', update('acme', '--reply-timeout', '2d'), '--reply-timeout "2d" is not a duration between 1s and 24h'],
    ['unit-less duration', update('acme', '--remind-after', '300'), '--remind-after "300" is not a duration'],
    ['--remind-max out of range', update('acme', '--remind-max', '50'), '--remind-max "50" is not a whole number from 0 to 20'],
    ['business hours ending before they start', update('acme', '--business-hours', 'mon-fri 18:00-09:00'), '--business-hours: "18:00-09:00" in "mon-fri 18:00-09:00" is not a valid range'],
    ['business hours with an unknown day', add('gamma', '--business-hours', 'weekdays 09:00-18:00'), '--business-hours: "weekdays" in "weekdays 09:00-18:00" is not a day or day range'],
    ['business hours without times', update('acme', '--business-hours', 'mon-fri'), '--business-hours: "mon-fri" is not "days hh:mm-hh:mm"'],
    ['update with nothing to change', update('acme'), 'nothing to change: give at least one setting, e.g. botctl tenant update acme --locale en'],
    ['show of an unknown tenant', ['tenant', 'show', 'ghost'], 'there is no tenant "ghost": see the tenants of this cell with: botctl tenant list'],
    ['update of an unknown tenant', update('ghost', '--locale', 'en'), 'there is no tenant "ghost"'],
    ['disable of an unknown tenant', ['tenant', 'disable', 'ghost'], 'there is no tenant "ghost"'],
    ['enable of an unknown tenant', ['tenant', 'enable', 'ghost'], 'there is no tenant "ghost"'],
    ['remove of an unknown tenant', ['tenant', 'remove', 'ghost', '--yes'], 'there is no tenant "ghost"'],
    [
      'remove without --yes says what it deletes',
      ['tenant', 'remove', 'acme'],
      'removing tenant acme deletes its settings, secrets, 0 contacts, 0 messages, 0 handovers and 0 jobs, and cannot be undone: run botctl tenant remove acme --yes to confirm',
    ],
  ];

  test.each(CASES)('%s', { timeout: CLI_TIMEOUT }, async (_, args, message) => {
    const before = snapshot(cell.dataDir);
    const result = await botctl(args, cell.env);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    const error = result.stderr.trim();
    expect(error.split('\n')).toHaveLength(1);
    expect(error.startsWith('Error: ')).toBe(true);
    expect(error).toContain(message);
    for (const secret of [ACME_TOKEN, ACME_APP_SECRET, OTHER_TOKEN, cell.secretKey]) expect(result.stderr).not.toContain(secret);
    expect(snapshot(cell.dataDir)).toEqual(before);
  });

  test('after all refusals the cell holds exactly the two tenants and their two add records', { timeout: CLI_TIMEOUT }, () => {
    expect(query<{ slug: string }>(cell, 'SELECT slug FROM tenants ORDER BY slug').map((r) => r.slug)).toEqual(['acme', 'beta']);
    expect(auditRows(cell).map((r) => [r.action, r.tenant_slug])).toEqual([['tenant.add', 'acme'], ['tenant.add', 'beta']]);
  });
});

describe('changes are audited; list, show and remove', () => {
  let cell: TempCell;
  const ZETA_PHONE = '209876543210987';
  const ZETA_TOKEN = 'EAAGm0PX4ZCpsBAKZBZCzetaTokenValue1122334455aabbccdd';
  const NEW_TOKEN = 'EAAGm0PX4ZCpsBAKZBZCrotatedToken99887766554433221100';

  beforeAll(async () => {
    cell = await initCell();
    await ok(acmeArgs(), cell);
    await ok(['tenant', 'add', 'zeta', '--name', 'Zeta Auto', '--timezone', 'Asia/Almaty', '--locale', 'kk', '--whatsapp-phone-number-id', ZETA_PHONE, '--whatsapp-token', ZETA_TOKEN], cell);
  }, CLI_TIMEOUT);

  function lastAudit(): AuditRow & { parsed: Record<string, unknown> } {
    const row = auditRows(cell).at(-1)!;
    return { ...row, parsed: JSON.parse(row.detail) as Record<string, unknown> };
  }

  test('add, update, token rotation, disable and enable each add one audit row with the action and never a secret', { timeout: CLI_TIMEOUT }, async () => {
    const acmeId = query<{ id: number }>(cell, "SELECT id FROM tenants WHERE slug = 'acme'")[0]!.id;
    const actor = userInfo().username;
    const adds = auditRows(cell);
    expect(adds.map((r) => [r.action, r.tenant_slug])).toEqual([['tenant.add', 'acme'], ['tenant.add', 'zeta']]);
    expect(JSON.parse(adds[0]!.detail)).toEqual({
      changed: ['businessHours', 'locale', 'name', 'remindAfter', 'telegramChatId', 'timezone', 'whatsappAppSecret', 'whatsappPhoneNumberId', 'whatsappToken'],
    });
    expect(adds[0]!.tenant_id).toBe(acmeId);
    expect(adds[0]!.actor).toBe(actor);

    const steps: [string[], string, Record<string, unknown>, string][] = [
      [['tenant', 'update', 'acme', '--locale', 'en', '--remind-after', '2m', '--remind-max', '5'], 'tenant.update', { changed: ['locale', 'remindAfter', 'remindMax'] }, 'Updated tenant acme.'],
      [['tenant', 'update', 'acme', '--whatsapp-token', NEW_TOKEN], 'tenant.update', { changed: ['whatsappToken'] }, 'token set'],
      [['tenant', 'disable', 'acme'], 'tenant.disable', { from: 'active' }, 'Tenant acme is now disabled.'],
      [['tenant', 'enable', 'acme'], 'tenant.enable', { from: 'disabled' }, 'Tenant acme is now active.'],
    ];
    for (const [args, action, detail, output] of steps) {
      const count = auditRows(cell).length;
      const started = Date.now();
      const result = await ok(args, cell);
      expect(result.stdout).toContain(output);
      expect(result.stdout).not.toContain(NEW_TOKEN);
      expect(auditRows(cell)).toHaveLength(count + 1);
      const row = lastAudit();
      expect(row).toMatchObject({ action, tenant_id: acmeId, tenant_slug: 'acme', actor });
      expect(row.parsed).toEqual(detail);
      expect(row.at).toBeGreaterThanOrEqual(started - 1000);
      expect(row.at).toBeLessThanOrEqual(Date.now());
    }

    const [acme] = query<{ locale: string; remind_after_ms: number; remind_max: number; status: string }>(cell, "SELECT locale, remind_after_ms, remind_max, status FROM tenants WHERE slug = 'acme'");
    expect(acme).toEqual({ locale: 'en', remind_after_ms: 120_000, remind_max: 5, status: 'active' });
    expect(readSecrets(cell, 'acme')).toEqual({ token: NEW_TOKEN, appSecret: ACME_APP_SECRET });
    expect(readSecrets(cell, 'zeta')).toEqual({ token: ZETA_TOKEN, appSecret: null });

    const audit = JSON.stringify(auditRows(cell));
    const raw = rawDatabaseBytes(cell.dataDir);
    for (const secret of [ACME_TOKEN, ACME_APP_SECRET, NEW_TOKEN, ZETA_TOKEN]) {
      expect(audit).not.toContain(secret);
      expectAbsent(raw, secret, 'the database files');
    }
  });

  test('list --json and show --json print the same tenant views, secrets only as set or missing', { timeout: CLI_TIMEOUT }, async () => {
    const list = JSON.parse((await ok(['tenant', 'list', '--json'], cell)).stdout) as Record<string, unknown>[];
    const show = JSON.parse((await ok(['tenant', 'show', 'acme', '--json'], cell)).stdout) as Record<string, unknown>;
    expect(list.map((t) => t.slug)).toEqual(['acme', 'zeta']);
    expect(list[0]).toEqual(show);
    const keys = ['slug', 'name', 'status', 'locale', 'timezone', 'whatsapp', 'telegramChatId', 'ownerChatId', 'businessHours', 'remindAfter', 'remindEvery', 'remindMax', 'replyTimeout', 'createdAt', 'updatedAt'];
    for (const tenant of list) {
      expect(Object.keys(tenant)).toEqual(expect.arrayContaining(keys));
      // Nothing sealed or secret-named leaks into the view.
      expect(Object.keys(tenant).filter((k) => /enc|token|secret/i.test(k))).toEqual([]);
      expect(Object.keys(tenant.whatsapp as object).sort()).toEqual(['appSecret', 'phoneNumberId', 'status', 'statusDetail', 'token']);
    }
    expect(show).toMatchObject({
      slug: 'acme',
      name: 'Smile Dental «Улыбка»',
      status: 'active',
      locale: 'en',
      timezone: 'Asia/Almaty',
      whatsapp: { phoneNumberId: ACME_PHONE, token: 'set', appSecret: 'own', status: 'ok', statusDetail: null },
      telegramChatId: -1001234567890,
      ownerChatId: null,
      businessHours: 'mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00; sat 10:00-14:00',
      remindAfter: '2m',
      remindEvery: '5m',
      remindMax: 5,
      replyTimeout: '15m',
    });
    expect(new Date(show.createdAt as string).toISOString()).toBe(show.createdAt);
    expect(Date.parse(show.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(show.createdAt as string));
    expect(list[1]).toMatchObject({ slug: 'zeta', locale: 'kk', whatsapp: { phoneNumberId: ZETA_PHONE, token: 'set', appSecret: 'cell default' }, telegramChatId: null, businessHours: 'always open' });

    const text = (await ok(['tenant', 'list'], cell)).stdout.trim().split('\n');
    expect(text).toHaveLength(2);
    expect(text[0]).toMatch(/^acme\s+active\s+en\s+106540352242922\s+-1001234567890\s+Smile Dental «Улыбка»$/);
    expect(text[1]).toMatch(/^zeta\s+active\s+kk\s+209876543210987\s+-\s+Zeta Auto$/);
  });

  test('remove --yes deletes the tenant, its channel account, contacts, messages, handovers and jobs, prints the counts, and leaves other tenants alone', { timeout: CLI_TIMEOUT }, async () => {
    const db = new Database(join(cell.dataDir, 'botctl.db'));
    db.pragma('foreign_keys = ON');
    const now = Date.now();
    const ids = (slug: string) => db.prepare("SELECT t.id AS tenant, c.id AS account FROM tenants t JOIN channel_accounts c ON c.tenant_id = t.id WHERE t.slug = ?").get(slug) as { tenant: number; account: number };
    const acme = ids('acme');
    const zeta = ids('zeta');
    const seed = (t: { tenant: number; account: number }, waId: string, messages: number, withHandover: boolean) => {
      const contact = Number(db.prepare('INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(t.tenant, t.account, waId, 'Customer', now, now).lastInsertRowid);
      const conversation = Number(db.prepare("INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at) VALUES (?, ?, 'bot', ?, ?, ?)").run(t.tenant, contact, now, now, now).lastInsertRowid);
      if (withHandover) {
        db.prepare("INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, created_at, updated_at) VALUES (?, ?, ?, 1, 'waiting', 'asked for a human', ?, ?)").run(t.tenant, conversation, contact, now, now);
      }
      for (let i = 0; i < messages; i++) {
        db.prepare("INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, provider_message_id, delivery_status, trace_id, created_at, updated_at) VALUES (?, ?, ?, 'inbound', 'customer', 'text', 'Здравствуйте', ?, 'received', ?, ?, ?)")
          .run(t.tenant, t.account, contact, `wamid.${waId}.${i}`, `trace-${waId}-${i}`, now, now);
      }
      db.prepare("INSERT INTO jobs (kind, tenant_id, payload, concurrency_key, max_attempts, run_at, created_at, updated_at) VALUES ('handle_inbound', ?, '{}', ?, 8, ?, ?, ?)").run(t.tenant, `contact:${contact}`, now, now, now);
    };
    seed(acme, '77011234567', 2, true);
    seed(zeta, '77029876543', 1, false);
    db.close();

    const owned = ['contacts', 'conversations', 'handovers', 'messages', 'jobs', 'channel_accounts'];
    const rowsOf = (tenantId: number) => Object.fromEntries(owned.map((t) => [t, query(cell, `SELECT * FROM ${t} WHERE tenant_id = ? ORDER BY id`, tenantId)]));
    const zetaBefore = rowsOf(zeta.tenant);
    const zetaTenantBefore = query(cell, 'SELECT * FROM tenants WHERE id = ?', zeta.tenant);
    expect(rowsOf(acme.tenant).messages).toHaveLength(2);

    const before = snapshot(cell.dataDir);
    const refused = await botctl(['tenant', 'remove', 'acme'], cell.env);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('removing tenant acme deletes its settings, secrets, 1 contacts, 2 messages, 1 handovers and 1 jobs, and cannot be undone');
    expect(refused.stderr).toContain('botctl tenant remove acme --yes');
    expect(snapshot(cell.dataDir)).toEqual(before);

    const removed = await ok(['tenant', 'remove', 'acme', '--yes'], cell);
    expect(removed.stdout.trim()).toBe('Removed tenant acme: deleted 1 contacts, 2 messages, 1 handovers and 1 jobs.');

    expect(query(cell, "SELECT * FROM tenants WHERE slug = 'acme'")).toEqual([]);
    for (const [table, rows] of Object.entries(rowsOf(acme.tenant))) expect(rows, table).toEqual([]);
    expect(query(cell, 'SELECT * FROM channel_accounts WHERE id = ?', acme.account)).toEqual([]);
    expect(rowsOf(zeta.tenant)).toEqual(zetaBefore);
    expect(query(cell, 'SELECT * FROM tenants WHERE id = ?', zeta.tenant)).toEqual(zetaTenantBefore);

    const row = lastAudit();
    expect(row).toMatchObject({ action: 'tenant.remove', tenant_id: acme.tenant, tenant_slug: 'acme', actor: userInfo().username });
    expect(row.parsed).toEqual({ deleted: { contacts: 1, messages: 2, handovers: 1, jobs: 1 }, name: 'Smile Dental «Улыбка»' });
    // The audit trail outlives the tenant.
    expect(auditRows(cell).filter((r) => r.tenant_slug === 'acme').map((r) => r.action)).toEqual(['tenant.add', 'tenant.update', 'tenant.update', 'tenant.disable', 'tenant.enable', 'tenant.remove']);

    const list = JSON.parse((await ok(['tenant', 'list', '--json'], cell)).stdout) as { slug: string }[];
    expect(list.map((t) => t.slug)).toEqual(['zeta']);
    // The slug and the phone number id are free again.
    await ok(acmeArgs(), cell);
  });
});
