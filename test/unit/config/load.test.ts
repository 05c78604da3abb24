import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { configWarnings } from '../../../src/config/check.js';
import { loadConfig, unknownVariables, type LoadOptions } from '../../../src/config/load.js';
import { VARIABLES, type VariableKey } from '../../../src/config/variables.js';
import { UserError } from '../../../src/errors.js';

const KEY = randomBytes(32);
const KEY_B64 = KEY.toString('base64');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'botctl-config-'));
}

/** An env file in a fresh temp folder (so /etc/botctl/botctl.env is never what a test reads). */
function envFile(text: string): string {
  const path = join(tempDir(), 'botctl.env');
  writeFileSync(path, text);
  return path;
}

/** Calls loadConfig and returns the UserError it throws (fails the test when it returns or throws something else). */
function refusal(options: LoadOptions): UserError {
  try {
    loadConfig(options);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig precedence: env file < environment < flags', () => {
  const file = envFile(
    [
      '# a comment line',
      'BOTCTL_DATA_DIR=/srv/from-file',
      'BOTCTL_HTTP_PORT=1111',
      'BOTCTL_LOG_LEVEL=debug',
      'BOTCTL_LLM_MODEL="gpt-from-file"',
      `BOTCTL_SECRET_KEY=${KEY_B64}`,
      'BOTCTL_DEBOUNCE_MS=1000',
      '',
    ].join('\n'),
  );

  test('each value comes from the strongest source that sets it, and sources say which', () => {
    const config = loadConfig({
      envFile: file,
      env: { BOTCTL_DATA_DIR: '/srv/from-env', BOTCTL_HTTP_PORT: '2222', OPENAI_API_KEY: 'sk-from-env' },
      flags: { dataDir: '/srv/from-flag', httpHost: '127.0.0.1' },
    });
    expect(config.envFile).toBe(file);
    expect(config.dataDir).toBe('/srv/from-flag');
    expect(config.httpHost).toBe('127.0.0.1');
    expect(config.httpPort).toBe(2222);
    expect(config.logLevel).toBe('debug');
    expect(config.llmModel).toBe('gpt-from-file');
    expect(config.debounceMs).toBe(1000);
    expect(config.openaiApiKey).toBe('sk-from-env');
    expect(Buffer.isBuffer(config.secretKey)).toBe(true);
    expect(config.secretKey!.equals(KEY)).toBe(true);
    expect(config.whatsappGraphUrl).toBe('https://graph.facebook.com/v21.0');
    expect(config.publicUrl).toBeNull();
    expect(config.sources).toMatchObject({
      dataDir: 'flag',
      httpHost: 'flag',
      httpPort: 'env',
      openaiApiKey: 'env',
      logLevel: 'file',
      llmModel: 'file',
      secretKey: 'file',
      debounceMs: 'file',
      whatsappGraphUrl: 'default',
      publicUrl: null,
    });
  });

  test('the env file can be named by BOTCTL_ENV_FILE, and --env-file wins over it', () => {
    const other = envFile('BOTCTL_HTTP_PORT=3333\n');
    expect(loadConfig({ env: { BOTCTL_ENV_FILE: file } }).httpPort).toBe(1111);
    const both = loadConfig({ envFile: other, env: { BOTCTL_ENV_FILE: file } });
    expect(both.envFile).toBe(other);
    expect(both.httpPort).toBe(3333);
  });

  test('an empty or blank value in the environment or a flag does not hide the file value', () => {
    const config = loadConfig({ envFile: file, env: { BOTCTL_HTTP_PORT: '', BOTCTL_LOG_LEVEL: '   ' }, flags: { dataDir: undefined } });
    expect(config.httpPort).toBe(1111);
    expect(config.logLevel).toBe('debug');
    expect(config.dataDir).toBe('/srv/from-file');
    expect(config.sources.httpPort).toBe('file');
  });

  test('a malformed value that a stronger source overrides is not read', () => {
    const broken = envFile('BOTCTL_HTTP_PORT=abc\n');
    expect(loadConfig({ envFile: broken, env: { BOTCTL_HTTP_PORT: '9090' } }).httpPort).toBe(9090);
  });
});

describe('loadConfig defaults', () => {
  test('an empty env file and environment give the documented defaults and null for optional settings', () => {
    const config = loadConfig({ envFile: envFile(''), env: {} });
    expect(config).toMatchObject({
      dataDir: '/var/lib/botctl',
      httpHost: '0.0.0.0',
      httpPort: 8080,
      logLevel: 'info',
      openaiBaseUrl: 'https://api.openai.com/v1',
      llmModel: 'gpt-4o-mini',
      telegramApiRoot: 'https://api.telegram.org',
      whatsappGraphUrl: 'https://graph.facebook.com/v21.0',
      debounceMs: 2500,
      publicUrl: null,
      secretKey: null,
      openaiApiKey: null,
      telegramBotToken: null,
      oncallChatId: null,
      whatsappAppSecret: null,
      whatsappVerifyToken: null,
      litestreamReplicaUrl: null,
    });
    for (const key of Object.keys(VARIABLES) as VariableKey[]) {
      expect(config.sources[key]).toBe('defaultValue' in VARIABLES[key] ? 'default' : null);
    }
  });

  test('well-formed values of every kind are parsed to their types', () => {
    const config = loadConfig({
      envFile: envFile(''),
      env: {
        BOTCTL_HTTP_PORT: ' 65535 ',
        BOTCTL_ONCALL_CHAT_ID: '-1001234567890',
        BOTCTL_DEBOUNCE_MS: '0',
        BOTCTL_PUBLIC_URL: 'https://cell1.example.com',
        TELEGRAM_BOT_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
        LITESTREAM_REPLICA_URL: 's3://bucket/cell1',
        BOTCTL_LOG_LEVEL: 'silent',
      },
    });
    expect(config.httpPort).toBe(65535);
    expect(config.oncallChatId).toBe(-1001234567890);
    expect(config.debounceMs).toBe(0);
    expect(config.publicUrl).toBe('https://cell1.example.com');
    expect(config.telegramBotToken).toBe('123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
    expect(config.litestreamReplicaUrl).toBe('s3://bucket/cell1');
    expect(loadConfig({ envFile: envFile(''), env: { LITESTREAM_REPLICA_URL: '/backups/cell1' } }).litestreamReplicaUrl).toBe('/backups/cell1');
  });
});

const TG_TOKEN_NO_ID = 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
/** [variable, malformed value]: every variable with a schema that can refuse a non-empty value. */
const MALFORMED: [VariableKey, string][] = [
  ['httpPort', 'abc'],
  ['httpPort', '70000'],
  ['httpPort', '0'],
  ['httpPort', '80.5'],
  ['httpPort', '-1'],
  ['secretKey', randomBytes(16).toString('base64')],
  ['secretKey', randomBytes(33).toString('base64')],
  ['secretKey', randomBytes(32).toString('hex')],
  ['secretKey', 'not base64 at all, clearly!!'],
  ['logLevel', 'loud'],
  ['logLevel', 'INFO'],
  ['publicUrl', 'ftp://x'],
  ['publicUrl', 'cell1.example.com'],
  ['openaiBaseUrl', 'ftp://x'],
  ['telegramApiRoot', 'not a url'],
  ['whatsappGraphUrl', 'graph.facebook.com/v21.0'],
  ['oncallChatId', 'abc'],
  ['oncallChatId', '0'],
  ['oncallChatId', '-100.5'],
  ['oncallChatId', '99999999999999999999'],
  ['debounceMs', '-1'],
  ['debounceMs', '60001'],
  ['debounceMs', '2s'],
  ['dataDir', 'data'],
  ['dataDir', './var/botctl'],
  ['dataDir', '~/botctl'],
  ['telegramBotToken', 'abc'],
  ['telegramBotToken', '123456789:short'],
  ['telegramBotToken', TG_TOKEN_NO_ID],
  ['litestreamReplicaUrl', 'backups'],
  ['litestreamReplicaUrl', 'http://replica.example.com/x'],
];

describe('loadConfig refuses malformed values with one sentence naming the variable and the fix', () => {
  test.each(MALFORMED)('%s = %j in the environment', (key, value) => {
    const variable = VARIABLES[key];
    const err = refusal({ envFile: envFile(''), env: { [variable.name]: value } });
    const text = err.toString();
    expect(text.startsWith(`${variable.name} in the environment is malformed`)).toBe(true);
    expect(err.hint).toBe(variable.fix);
    expect(text.endsWith(`: ${variable.fix}`)).toBe(true);
    expect(text).not.toContain('\n');
    if (variable.secret) {
      expect(text).not.toContain(value);
      expect(err.message).not.toContain(value);
      expect(text).toContain('its value');
    } else {
      expect(text).toContain(JSON.stringify(value));
    }
  });

  test.each(MALFORMED)('%s = %j in the env file names the file', (key, value) => {
    const variable = VARIABLES[key];
    const file = envFile(`${variable.name}=${value}\n`);
    const text = refusal({ envFile: file, env: {} }).toString();
    expect(text).toContain(`${variable.name} in ${file} is malformed`);
    expect(text).toContain(variable.fix);
    if (variable.secret) expect(text).not.toContain(value);
  });

  test('a malformed flag says it was given as a flag', () => {
    const err = refusal({ envFile: envFile(''), env: { BOTCTL_DATA_DIR: '/srv/ok' }, flags: { dataDir: 'relative/dir' } });
    expect(err.toString()).toBe(`BOTCTL_DATA_DIR given as a flag is malformed ("relative/dir" is not valid): ${VARIABLES.dataDir.fix}`);
  });

  test('every variable has a fix that finishes the sentence (the CLI adds the final period)', () => {
    for (const variable of Object.values(VARIABLES)) {
      expect(variable.fix.length, variable.name).toBeGreaterThan(10);
      expect(variable.fix, variable.name).not.toMatch(/[.\s]$/);
      expect(variable.fix, variable.name).not.toContain('\n');
    }
  });
});

describe('required settings and the env file', () => {
  test('require: secretKey without a key names BOTCTL_SECRET_KEY, how to make one, and the file to put it in', () => {
    const file = envFile('BOTCTL_HTTP_PORT=8080\n');
    const err = refusal({ envFile: file, env: {}, require: ['secretKey'] });
    expect(err.toString()).toBe(`BOTCTL_SECRET_KEY is not set: ${VARIABLES.secretKey.fix} (in ${file})`);
    expect(err.toString()).toContain('botctl init');
    expect(err.toString()).toContain('openssl rand -base64 32');
  });

  test('require: secretKey is satisfied by the environment', () => {
    const config = loadConfig({ envFile: envFile(''), env: { BOTCTL_SECRET_KEY: KEY_B64 }, require: ['secretKey'] });
    expect(config.secretKey!.equals(KEY)).toBe(true);
    expect(config.sources.secretKey).toBe('env');
  });

  test('an explicit env file that does not exist is named, with botctl init as the fix', () => {
    const missing = join(tempDir(), 'nope', 'botctl.env');
    const err = refusal({ envFile: missing, env: {} });
    expect(err.toString()).toContain(missing);
    expect(err.toString()).toContain(`botctl init --env-file ${missing}`);
    const viaEnv = refusal({ env: { BOTCTL_ENV_FILE: missing } });
    expect(viaEnv.toString()).toContain(missing);
    expect(viaEnv.toString()).toContain('botctl init');
  });
});

describe('every line of the env file is a setting, a comment or a blank', () => {
  test.each([
    ['a colon instead of =', 'BOTCTL_HTTP_PORT=8080\nWHATSAPP_APP_SECRET: x\n', 2, 'it starts with WHATSAPP_APP_SECRET but has no "=" right after the name'],
    ['spaces around =', '# cell\n\nOPENAI_API_KEY = sk-x\n', 3, 'it starts with OPENAI_API_KEY but has no "=" right after the name'],
    ['a stray word', 'BOTCTL_HTTP_PORT=8080\n  oops\n', 2, 'it starts with oops but has no "=" right after the name'],
    ['a line of punctuation', '---\n', 1, 'it is neither NAME=value nor a comment'],
  ])('%s is refused with its line number', (_name, text, line, detail) => {
    const path = envFile(text);
    const err = refusal({ envFile: path, env: {} });
    expect(err.message).toBe(`the env file ${path} has a line that is not a setting: line ${line} (${detail})`);
    expect(err.hint).toContain('NAME=value');
    expect(err.message).not.toContain('sk-x');
  });

  test('comments, blanks, export, quotes and a quoted value over several lines are all accepted', () => {
    const path = envFile('# comment\n; also a comment\n\nexport BOTCTL_HTTP_PORT=9090\nBOTCTL_LOG_LEVEL="debug"\nBOTCTL_PUBLIC_URL=\'https://x.example\'\nOPENAI_BASE_URL="https://llm.example\n"\n');
    const config = loadConfig({ envFile: path, env: {} });
    expect(config.httpPort).toBe(9090);
    expect(config.logLevel).toBe('debug');
  });

  test('a quoted value that never ends is refused with its line', () => {
    const path = envFile('BOTCTL_HTTP_PORT=8080\nBOTCTL_PUBLIC_URL="https://x.example\n');
    expect(refusal({ envFile: path, env: {} }).message).toBe(`the env file ${path} has a quoted value that never ends: line 2`);
  });
});

describe('unknownVariables', () => {
  test('flags names that look like botctl settings but are not one, and only those', () => {
    const file = envFile(
      [
        'BOTCTL_DEBOUNCE=5000',
        'OPENAI_KEY=sk-x',
        'TELEGRAM_TOKEN=1:x',
        'BOTCTL_HTTP_PORT=8080',
        'BOTCTL_DEBOUNCE_MS=2500',
        'OPENAI_API_KEY=sk-real',
        'MY_OWN_VARIABLE=1',
        'PATH_EXTRA=/x',
        '',
      ].join('\n'),
    );
    expect(unknownVariables(file).sort()).toEqual(['BOTCTL_DEBOUNCE', 'OPENAI_KEY', 'TELEGRAM_TOKEN']);
  });

  test('a typo is otherwise silent in loadConfig, so config check reports it as a warning', () => {
    const file = envFile(`BOTCTL_SECRET_KEY=${KEY_B64}\nBOTCTL_DEBOUNCE=5000\n`);
    const config = loadConfig({ envFile: file, env: {} });
    expect(config.debounceMs).toBe(2500);
    const warnings = configWarnings(config);
    expect(warnings.some((w) => w.startsWith(`BOTCTL_DEBOUNCE in ${file} is not a botctl setting`))).toBe(true);
  });

  test('a file without typos gives none', () => {
    expect(unknownVariables(envFile('BOTCTL_DATA_DIR=/x\n# BOTCTL_TYPO=1\n'))).toEqual([]);
  });
});
