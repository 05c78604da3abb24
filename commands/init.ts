import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { DEFAULT_ENV_FILE, loadConfig } from '../src/config/load.js';
import { VARIABLES } from '../src/config/variables.js';
import { writeEnvFile } from '../src/config/write-env-file.js';
import { openCell } from '../src/cell.js';
import { UserError } from '../src/errors.js';

export default class Init extends BotctlCommand {
  static override summary = 'Write the env file (with a fresh secret key) and create the data folder and database.';
  static override description = 'Refuses to replace an existing env file unless --force; with --force the existing secret key is kept, so stored tenant tokens stay readable.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --env-file ./cell/botctl.env --data-dir "$PWD/cell/data"',
  ];
  static override flags = {
    force: Flags.boolean({ description: 'rewrite an existing env file (keeps its secret key)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const envFile = flags['env-file'] ?? process.env.BOTCTL_ENV_FILE ?? DEFAULT_ENV_FILE;
    const dataDir = flags['data-dir'] ?? process.env[VARIABLES.dataDir.name] ?? VARIABLES.dataDir.defaultValue;
    if (!dataDir.startsWith('/')) throw new UserError(`--data-dir "${dataDir}" is not an absolute path`, 'give the full path, e.g. --data-dir "$PWD/data"');
    const result = writeEnvFile(envFile, dataDir, flags.force);
    const config = loadConfig({ envFile, flags: { dataDir }, env: {}, require: ['secretKey'] });
    const cell = openCell(config, { schema: 'apply' });
    cell.close();
    this.log(`Wrote ${result.envFile} (mode 0600)${result.keptKey ? ', keeping its existing secret key' : ' with a fresh secret key'}.`);
    this.log(`Data folder ${result.dataDir} (mode 0700) holds botctl.db at the current schema.`);
    this.log('Next: fill in the LLM and Telegram settings in the env file, then run: botctl config check');
  }
}
