import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UserError } from '../errors.js';
import { registerSecret } from '../observability/redact.js';
import type { Config, Source } from './config.js';
import { VARIABLES, VARIABLE_NAMES, type VariableKey, type VariableSpec } from './variables.js';

export const DEFAULT_ENV_FILE = '/etc/botctl/botctl.env';

export interface LoadOptions {
  /** `--env-file`; otherwise BOTCTL_ENV_FILE, otherwise /etc/botctl/botctl.env when it exists. */
  envFile?: string | undefined;
  /** Values given as command-line flags, by variable key; they override the file and the environment. */
  flags?: Partial<Record<VariableKey, string | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** Settings this command cannot work without (BOTCTL_SECRET_KEY for anything touching tenant secrets). */
  require?: readonly VariableKey[];
}

/** Reads env file → environment → flags, validates every value, and returns one typed Config or throws a UserError. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const envFile = resolveEnvFile(options.envFile, env);
  const fileValues = envFile ? readEnvFile(envFile) : {};
  const values: Record<string, unknown> = {};
  const sources: Record<string, Source | null> = {};

  for (const [key, variable] of Object.entries(VARIABLES) as [VariableKey, VariableSpec<unknown>][]) {
    const candidates: [Source, string | undefined][] = [
      ['flag', options.flags?.[key]],
      ['env', env[variable.name]],
      ['file', fileValues[variable.name]],
      ['default', variable.defaultValue],
    ];
    const found = candidates.find(([, raw]) => raw !== undefined && raw.trim() !== '');
    if (!found) {
      values[key] = null;
      sources[key] = null;
      if (options.require?.includes(key)) {
        throw new UserError(`${variable.name} is not set`, `${variable.fix}${envFile ? ` (in ${envFile})` : ''}`);
      }
      continue;
    }
    const [source, raw] = found;
    const parsed = variable.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = variable.secret ? 'its value' : JSON.stringify(raw);
      const where = source === 'file' ? ` in ${envFile}` : source === 'flag' ? ' given as a flag' : source === 'env' ? ' in the environment' : '';
      throw new UserError(`${variable.name}${where} is malformed (${shown} is not valid)`, variable.fix);
    }
    values[key] = parsed.data;
    sources[key] = source;
    // Every configured secret is scrubbed from log lines by its value, whichever process loaded it (worker, watch,
    // doctor…), not only by field name or token shape.
    if (variable.secret) registerSecret(raw!.trim());
  }
  return { ...values, envFile, sources } as unknown as Config;
}

function resolveEnvFile(explicit: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const chosen = explicit ?? env.BOTCTL_ENV_FILE;
  if (chosen) {
    if (!existsSync(chosen)) {
      throw new UserError(`the env file ${chosen} does not exist`, `create it with: botctl init --env-file ${chosen}, or point --env-file / BOTCTL_ENV_FILE at the right file`);
    }
    return chosen;
  }
  return existsSync(DEFAULT_ENV_FILE) ? DEFAULT_ENV_FILE : null;
}

/** Parses KEY=VALUE lines (comments and quotes allowed, as systemd's EnvironmentFile= reads them). */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`the env file ${path} cannot be read (${code ?? 'error'})`, code === 'EACCES' ? 'run botctl as root or as the botctl user (sudo botctl …)' : 'check the path and its permissions');
  }
  checkEnvLines(text, path);
  return parseEnv(text) as Record<string, string>;
}

const SETTING = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=(.*)$/;

/**
 * Every line of an env file is a setting (`NAME=value`, optionally `export NAME=value`), a comment (`#` or `;`), or
 * blank; a quoted value may span lines. Anything else is refused with its line number, never dropped: a line like
 * `WHATSAPP_APP_SECRET: x` would otherwise vanish and the cell run without the setting. The line's value is not
 * shown (it may be a secret), only how it starts.
 */
export function checkEnvLines(text: string, path: string): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const match = SETTING.exec(line);
    if (!match) {
      const start = /^\s*[A-Za-z_][A-Za-z0-9_]*/.exec(line)?.[0].trim();
      const shown = start ? `it starts with ${start.slice(0, 60)} but has no "=" right after the name` : 'it is neither NAME=value nor a comment';
      throw new UserError(`the env file ${path} has a line that is not a setting: line ${i + 1} (${shown})`, 'write each setting as NAME=value with no spaces around "=", start a comment with #, or remove the line; then check with: botctl config check');
    }
    // A quoted value that does not close on its line continues on the next ones, as parseEnv and systemd read it.
    const value = match[1]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && !closes(value.slice(1), quote)) {
      let j = i + 1;
      while (j < lines.length && !closes(lines[j]!, quote)) j++;
      if (j >= lines.length) throw new UserError(`the env file ${path} has a quoted value that never ends: line ${i + 1}`, `close the ${quote} quote on the same line, then check with: botctl config check`);
      i = j;
    }
  }
}

function closes(rest: string, quote: string): boolean {
  for (let k = 0; k < rest.length; k++) {
    if (rest[k] === '\\') k++;
    else if (rest[k] === quote) return true;
  }
  return false;
}

/** Names in an env file that look like botctl settings but are not one (a typo is otherwise silently ignored). */
export function unknownVariables(path: string): string[] {
  return Object.keys(readEnvFile(path)).filter((name) => /^(BOTCTL_|OPENAI_|TELEGRAM_|WHATSAPP_|LITESTREAM_)/.test(name) && !VARIABLE_NAMES.has(name));
}
