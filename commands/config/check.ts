import { BotctlCommand } from '../../src/cli/base-command.js';
import { configWarnings } from '../../src/config/check.js';

export default class ConfigCheck extends BotctlCommand {
  static override summary = 'Validate the configuration; exit non-zero with the fix when a value is missing or malformed.';
  static override examples = ['<%= config.bin %> config check', '<%= config.bin %> config check --env-file /etc/botctl/botctl.env'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigCheck);
    const config = this.loadConfig(flags);
    const warnings = configWarnings(config);
    for (const w of warnings) this.log(`! ${w}`);
    this.log(`✓ configuration is valid${config.envFile ? ` (${config.envFile})` : ''}${warnings.length ? `, with ${warnings.length} warning(s) above` : ''}`);
  }
}
