import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { PromptService } from '../../src/prompts/prompt-service.js';

export default class PromptSet extends BotctlCommand {
  static override summary = "Set the tenant's prompt from a file (a new version; the old ones are kept).";
  static override examples = ['<%= config.bin %> prompt set dental-almaty --file prompt.md --note "softer tone"'];
  static override args = slugArg;
  static override flags = {
    file: Flags.string({ description: 'UTF-8 text or Markdown file with the instructions', required: true }),
    note: Flags.string({ description: 'why it changed (shown in history)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PromptSet);
    const service = new PromptService(this.openCell(this.loadConfig(flags)));
    const result = service.set(args.slug, service.readFile(flags.file), flags.note ?? null);
    this.log(result.unchanged ? `The prompt of ${args.slug} is already this text (version ${result.version}).` : `Set the prompt of ${args.slug}: version ${result.version}.`);
  }
}
