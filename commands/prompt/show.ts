import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { PromptService } from '../../src/prompts/prompt-service.js';

export default class PromptShow extends BotctlCommand {
  static override summary = "Print the tenant's prompt in force.";
  static override examples = ['<%= config.bin %> prompt show dental-almaty', '<%= config.bin %> prompt show dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PromptShow);
    const prompt = new PromptService(this.openCell(this.loadConfig(flags))).current(args.slug);
    if (flags.json) return this.printJson(prompt);
    if (!prompt) return this.log(`Tenant ${args.slug} has no prompt yet. Set one with: botctl prompt set ${args.slug} --file prompt.md`);
    this.log(`# version ${prompt.version}, set by ${prompt.actor} at ${new Date(prompt.createdAt).toISOString()}`);
    this.log(prompt.body);
  }
}
