import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UserError } from '../errors.js';
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
  return parseEnv(text) as Record<string, string>;
}

/** Names in an env file that look like botctl settings but are not one (a typo is otherwise silently ignored). */
export function unknownVariables(path: string): string[] {
  return Object.keys(readEnvFile(path)).filter((name) => /^(BOTCTL_|OPENAI_|TELEGRAM_|WHATSAPP_|LITESTREAM_)/.test(name) && !VARIABLE_NAMES.has(name));
}
