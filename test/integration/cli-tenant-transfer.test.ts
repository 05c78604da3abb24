import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SECRET_CONTEXT } from '../../src/tenants/tenant-service.js';
import { botctl, initCell, type TempCell } from '../helpers/cli.js';
import { openStoredSecret } from '../helpers/stored-secret.js';
import { exportLines } from '../helpers/transfer-files.js';

const TOKEN = 'EAAGclitoken0123456789abcdefghijklm';
const APP_SECRET = 'tenant-own-app-secret-0123456789';
const PASSPHRASE = { BOTCTL_TRANSFER_PASSPHRASE: 'four random words here' };

let a: TempCell;
let b: TempCell;
let c: TempCell;
const run = (cell: TempCell, args: string[], env: Record<string, string> = {}) => botctl(args, { ...cell.env, ...env });

const openSecret = (cell: TempCell, column: 'access_token_enc' | 'app_secret_enc', context: string) =>
  openStoredSecret(cell, `SELECT ${column} AS v FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'smile'`, [], context);

beforeAll(async () => {
  [a, b, c] = await Promise.all([initCell(), initCell(), initCell()]);
  const add = await run(a, ['tenant', 'add', 'smile', '--name', 'Smile Dental', '--timezone', 'Asia/Almaty', '--whatsapp-phone-number-id', '1000001',
    '--whatsapp-token', TOKEN, '--whatsapp-app-secret', APP_SECRET, '--business-hours', 'mon-fri 09:00-18:00', '--remind-after', '2m']);
  expect(add.exitCode).toBe(0);
  expect((await run(a, ['tenant', 'disable', 'smile'])).exitCode).toBe(0);
}, 60_000);

describe('tenant export and import from the command line', () => {
  test('export refuses to write secrets without a passphrase, a short one, or both a passphrase and --without-secrets', async () => {
    const out = join(a.dir, 'refused.jsonl.gz');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], {}, /the export would carry tenant smile's WhatsApp token, and no passphrase was given to seal it: put a passphrase/],
      [[], { BOTCTL_TRANSFER_PASSPHRASE: 'short' }, /shorter than 12 characters/],
      [['--without-secrets'], PASSPHRASE, /a passphrase was given together with --without-secrets/],
      [['--passphrase-file', join(a.dir, 'nowhere')], {}, /the passphrase file .*nowhere cannot be read \(ENOENT\)/],
    ];
    for (const [flags, env, error] of cases) {
      const result = await run(a, ['tenant', 'export', 'smile', '--out', out, ...flags], env);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(error);
    }
    expect(existsSync(out)).toBe(false);
    expect((await run(a, ['tenant', 'export', 'nobody', '--out', out], PASSPHRASE)).stderr).toContain('there is no tenant "nobody"');
  }, 30_000);

  test('with a passphrase the secrets travel sealed and arrive sealed with the target key; a second export needs --force', async () => {
    const out = join(a.dir, 'smile.jsonl.gz');
    const first = await run(a, ['tenant', 'export', 'smile', '--out', out, '--json'], PASSPHRASE);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ file: out, mode: '0600', gzip: true, secrets: 'passphrase', tenantStatus: 'disabled', counts: { tenant: 1, channel_account: 1 } });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = exportLines(out).join('\n');
    for (const secret of [TOKEN, APP_SECRET]) expect(text).not.toContain(secret);
    expect((await run(a, ['tenant', 'export', 'smile', '--out', out], PASSPHRASE)).stderr).toContain('already exists: give --out another file name, or add --force');
    expect((await run(a, ['tenant', 'export', 'smile', '--out', out, '--force'], PASSPHRASE)).exitCode).toBe(0);

    const imported = await run(c, ['tenant', 'import', out], PASSPHRASE);
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toContain('Tenant smile arrived disabled, as it was on the source: serve it with botctl tenant enable smile.');
    for (const output of [first.stdout, first.stderr, imported.stdout, imported.stderr]) {
      for (const secret of [TOKEN, APP_SECRET, PASSPHRASE.BOTCTL_TRANSFER_PASSPHRASE]) expect(output).not.toContain(secret);
    }
    expect(openSecret(c, 'access_token_enc', SECRET_CONTEXT.whatsappToken('smile'))).toBe(TOKEN);
    expect(openSecret(c, 'app_secret_enc', SECRET_CONTEXT.whatsappAppSecret('smile'))).toBe(APP_SECRET);
    expect(() => openSecret(c, 'access_token_enc', SECRET_CONTEXT.whatsappToken('bolt'))).toThrow();
    const show = async (cell: TempCell) => JSON.parse((await run(cell, ['tenant', 'show', 'smile', '--json'])).stdout) as unknown;
    expect(await show(c)).toEqual(await show(a));
  }, 30_000);

  test('--without-secrets writes a plain file without them; the tenant arrives with its number and is told to get its token', async () => {
    const out = join(a.dir, 'smile-no-secrets.jsonl');
    const exported = await run(a, ['tenant', 'export', 'smile', '--out', out, '--without-secrets']);
    expect(exported.exitCode).toBe(0);
    expect(exported.stdout).toContain('Secrets are not in the file: on the target, set them with botctl tenant update smile --whatsapp-token');
    expect(JSON.parse(exportLines(out)[0]!)).toMatchObject({ secrets: { mode: 'none' } });

    const imported = await run(b, ['tenant', 'import', out]);
    expect(imported.exitCode).toBe(0);
    expect(imported.stderr).toContain('whatsapp 1000001 arrived without its token: set it with botctl tenant update smile --whatsapp-token');
    const shown = JSON.parse((await run(b, ['tenant', 'show', 'smile', '--json'])).stdout) as { status: string; whatsapp: { token: string; appSecret: string; phoneNumberId: string }; businessHours: string; remindAfter: string };
    expect(shown).toMatchObject({ status: 'disabled', whatsapp: { phoneNumberId: '1000001', token: 'missing', appSecret: 'cell default' }, remindAfter: '2m' });
    expect(shown.businessHours).toContain('09:00');
    expect((await run(b, ['tenant', 'update', 'smile', '--whatsapp-token', TOKEN])).exitCode).toBe(0);
    expect(openSecret(b, 'access_token_enc', SECRET_CONTEXT.whatsappToken('smile'))).toBe(TOKEN);
  }, 30_000);
});
