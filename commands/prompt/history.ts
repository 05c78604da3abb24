import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { PromptService } from '../../src/prompts/prompt-service.js';

export default class PromptHistory extends BotctlCommand {
  static override summary = "List the versions of the tenant's prompt, newest first.";
  static override examples = ['<%= config.bin %> prompt history dental-almaty'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PromptHistory);
    const versions = new PromptService(this.openCell(this.loadConfig(flags))).history(args.slug);
    if (flags.json) return this.printJson(versions);
    if (versions.length === 0) return this.log(`Tenant ${args.slug} has no prompt yet.`);
    for (const v of versions) {
      this.log(`${v.current ? '*' : ' '} v${v.version}  ${new Date(v.createdAt).toISOString()}  ${v.actor}  ${v.body.length} chars${v.note ? `  — ${v.note}` : ''}`);
    }
  }
}
