import type { z } from 'zod';
import type { VARIABLES, VariableKey } from './variables.js';

type ValueOf<K extends VariableKey> = z.output<(typeof VARIABLES)[K]['schema']>;
type HasDefault<K extends VariableKey> = (typeof VARIABLES)[K] extends { defaultValue: string } ? K : never;
type RequiredKeys = { [K in VariableKey]: HasDefault<K> }[VariableKey];

/** Where a setting's value came from, in order of precedence (a later source wins). */
export type Source = 'default' | 'file' | 'env' | 'flag';

/** The validated configuration of a cell. Optional settings are null when unset. */
export type Config = { readonly [K in RequiredKeys]: ValueOf<K> } & {
  readonly [K in Exclude<VariableKey, RequiredKeys>]: ValueOf<K> | null;
} & {
  /** The env file that was read, or null when none was. */
  readonly envFile: string | null;
  readonly sources: Readonly<Record<VariableKey, Source | null>>;
};
