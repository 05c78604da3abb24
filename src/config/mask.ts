import type { Config } from './config.js';
import { VARIABLES, type VariableKey } from './variables.js';

export interface ShownVariable {
  name: string;
  value: string | null;
  source: string | null;
  describe: string;
}

/** The configuration as `config show` prints it: secrets masked to their last four characters at most. */
export function describeConfig(config: Config): ShownVariable[] {
  return (Object.keys(VARIABLES) as VariableKey[]).map((key) => {
    const variable = VARIABLES[key];
    const value = config[key];
    return {
      name: variable.name,
      value: value === null ? null : variable.secret ? maskSecret(value) : String(value),
      source: config.sources[key],
      describe: variable.describe,
    };
  });
}

export function maskSecret(value: unknown): string {
  const text = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  return text.length >= 24 ? `••••${text.slice(-4)}` : '••••';
}
