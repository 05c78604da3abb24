import { Command, Flags, type Interfaces } from '@oclif/core';
import { openCell, type Cell, type OpenCellOptions } from '../cell.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load.js';
import type { VariableKey } from '../config/variables.js';
import { UserError } from '../errors.js';
import { scrubText } from '../observability/redact.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BotctlCommand)['baseFlags'] & T['flags']>;

/**
 * What every botctl command shares: `--env-file` and `--data-dir`, loading the Config, opening the cell,
 * and printing a UserError as one line (`Error: what is wrong: how to fix it`) with a non-zero exit.
 */
export abstract class BotctlCommand extends Command {
  static override baseFlags = {
    'env-file': Flags.string({ description: 'env file to read (default: $BOTCTL_ENV_FILE, else /etc/botctl/botctl.env)', helpGroup: 'GLOBAL' }),
    'data-dir': Flags.string({ description: 'folder of botctl.db (overrides BOTCTL_DATA_DIR)', helpGroup: 'GLOBAL' }),
  };

  private cell: Cell | null = null;

  protected loadConfig(flags: { 'env-file'?: string | undefined; 'data-dir'?: string | undefined }, extra: Partial<Record<VariableKey, string | undefined>> = {}, require: VariableKey[] = ['secretKey']): Config {
    return loadConfig({ envFile: flags['env-file'], flags: { dataDir: flags['data-dir'], ...extra }, require });
  }

  protected openCell(config: Config, options: OpenCellOptions = { schema: 'require' }): Cell {
    this.cell = openCell(config, options);
    return this.cell;
  }

  protected printJson(value: unknown): void {
    this.log(JSON.stringify(value, null, 2));
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.cell?.close();
    this.cell = null;
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof UserError) {
      process.stderr.write(`Error: ${scrubText(err.toString())}.\n`);
      process.exitCode = err.exitCode;
      return undefined;
    }
    if (err.oclif?.exit !== undefined) return super.catch(err);
    const message = (err as NodeJS.ErrnoException).code === 'SQLITE_BUSY'
      ? 'the database stayed locked for 5 s: another botctl is writing; try again, and check botctl status'
      : `${err.name}: ${err.message}`;
    process.stderr.write(`Error: ${scrubText(message)}\n`);
    if (process.env.BOTCTL_DEBUG) process.stderr.write(`${scrubText(err.stack ?? '')}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
