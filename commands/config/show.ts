import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { describeConfig } from '../../src/config/mask.js';

export default class ConfigShow extends BotctlCommand {
  static override summary = 'Print the effective configuration and where each value came from (secrets masked).';
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --json'];
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigShow);
    const config = this.loadConfig(flags, {}, []);
    const rows = describeConfig(config);
    if (flags.json) return this.printJson({ envFile: config.envFile, variables: rows });
    this.log(`env file: ${config.envFile ?? '(none read)'}`);
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const row of rows) {
      this.log(`${row.name.padEnd(width)}  ${(row.value ?? '(unset)').padEnd(34)}  ${row.source ?? ''}`);
    }
  }
}
