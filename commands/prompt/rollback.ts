import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { PromptService } from '../../src/prompts/prompt-service.js';

export default class PromptRollback extends BotctlCommand {
  static override summary = 'Put an earlier prompt version back in force (the previous one by default).';
  static override examples = ['<%= config.bin %> prompt rollback dental-almaty', '<%= config.bin %> prompt rollback dental-almaty --to 3'];
  static override args = slugArg;
  static override flags = { to: Flags.integer({ description: 'version to restore', min: 1 }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PromptRollback);
    const version = new PromptService(this.openCell(this.loadConfig(flags))).rollback(args.slug, flags.to);
    this.log(`The prompt of ${args.slug} is now version ${version.version}.`);
  }
}
