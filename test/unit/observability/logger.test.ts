import { describe, expect, test } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { maskPhone, registerSecret } from '../../../src/observability/redact.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines, text: () => lines.join('') };
}

const SECRET_KEY = 'c2VjcmV0LWtleS1vZi10aGUtY2VsbC0zMi1ieXRlcyE=';
const WA_TOKEN = 'EAAGm0PX4ZCpsBAKZBZCtokenvalue1234567890abcdef';
const TG_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const OPAQUE = 'opaque-tenant-token-without-a-known-shape';

describe('logger redaction', () => {
  test('secret fields are replaced at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ token: OPAQUE, tenant: { accessToken: OPAQUE, appSecret: OPAQUE }, apiKey: OPAQUE }, 'sending');
    const entry = JSON.parse(lines[0]!) as Record<string, any>;
    expect(entry.token).toBe('[REDACTED]');
    expect(entry.tenant.accessToken).toBe('[REDACTED]');
    expect(entry.tenant.appSecret).toBe('[REDACTED]');
    expect(entry.apiKey).toBe('[REDACTED]');
    expect(lines.join('')).not.toContain(OPAQUE);
  });

  test('registered secrets are scrubbed from free text, error messages and stacks', () => {
    registerSecret(SECRET_KEY);
    registerSecret(OPAQUE);
    const { logger, text } = capture();
    const err = new Error(`request failed with key ${SECRET_KEY} and token ${OPAQUE}`);
    logger.error({ err, note: `retry with ${OPAQUE}` }, `calling with ${SECRET_KEY}`);
    expect(text()).toContain('[REDACTED]');
    expect(text()).not.toContain(SECRET_KEY);
    expect(text()).not.toContain(OPAQUE);
  });

  test('tokens shaped like Meta, Telegram, OpenAI keys and bearer headers are scrubbed without registration', () => {
    const { logger, text } = capture();
    logger.warn(`graph said no for ${WA_TOKEN}`);
    logger.warn({ url: `https://api.telegram.org/bot${TG_TOKEN}/getMe` }, 'telegram call');
    logger.warn({ header: 'Authorization: Bearer abcdefghijklmnop.qrstuvwxyz' }, 'sk-proj-abcdefghijklmnopqrstuv leaked?');
    const out = text();
    expect(out).not.toContain(WA_TOKEN);
    expect(out).not.toContain(TG_TOKEN);
    expect(out).not.toContain('abcdefghijklmnop.qrstuvwxyz');
    expect(out).not.toContain('sk-proj-abcdefghijklmnopqrstuv');
    expect(out).toContain('Bearer [REDACTED]');
  });

  test('full phone numbers are masked in phone fields and in text, keeping enough to recognise them', () => {
    const { logger, lines } = capture();
    logger.info({ from: '77011234567', contact: { phone: '+7 701 123 45 67', wa_id: '77011234567' } }, 'customer +77011234567 wrote');
    const line = lines[0]!;
    expect(line).not.toContain('77011234567');
    expect(line).not.toContain('123 45 67');
    const entry = JSON.parse(line) as Record<string, any>;
    expect(entry.from).toBe('770******67');
    expect(entry.contact.wa_id).toBe('770******67');
    expect(entry.msg).toBe('customer +770******67 wrote');
  });

  test('lines are JSON with level label, ISO time and bound tenant and trace', () => {
    const { logger, lines } = capture();
    logger.child({ tenant: 'acme', trace: 'tr-1' }).info('handled');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', tenant: 'acme', trace: 'tr-1', msg: 'handled' });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
  });

  test('maskPhone leaves short numbers and non-strings alone', () => {
    expect(maskPhone('12345')).toBe('12345');
    expect(maskPhone(undefined)).toBeUndefined();
    expect(maskPhone(77011234567)).toBe('770******67');
  });
});

describe('every configured secret is scrubbed by its value', () => {
  test('loading the configuration registers each secret setting, whatever its shape', async () => {
    const { loadConfig } = await import('../../../src/config/load.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const values = {
      WHATSAPP_APP_SECRET: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      WHATSAPP_VERIFY_TOKEN: 'my-verify-token-42',
      OPENAI_API_KEY: 'gsk_opaqueProviderKey0123456789',
    };
    const file = join(mkdtempSync(join(tmpdir(), 'botctl-redact-')), 'botctl.env');
    writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n'));
    loadConfig({ envFile: file, env: {} });
    const { logger, text } = capture();
    logger.warn({ detail: `verify ${values.WHATSAPP_VERIFY_TOKEN}, secret ${values.WHATSAPP_APP_SECRET}` }, `provider said: bad key ${values.OPENAI_API_KEY}`);
    for (const value of Object.values(values)) expect(text()).not.toContain(value);
  });

  test("a tenant's token inside a URL query or path is scrubbed too", async () => {
    const { registerTenantSecret } = await import('../../../src/observability/redact.js');
    const token = 'tenantOpaqueToken0123456789';
    registerTenantSecret(token);
    const { logger, text } = capture();
    logger.warn(`GET https://graph.example/v21.0/media?access_token=${token} and /files/${token}/x failed`);
    expect(text()).not.toContain(token);
    expect(text()).toContain('access_token=[REDACTED]');
  });
});
