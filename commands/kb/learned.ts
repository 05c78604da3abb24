import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { LearningAdmin } from '../../src/learning/learning-admin.js';

export default class KbLearned extends BotctlCommand {
  static override summary = 'List what managers taught the bot and what was approved from proposals, with who, when and from which request.';
  static override description = 'These entries are the knowledge source "learned". Remove one with: botctl kb remove <slug> learned:<id> --yes';
  static override examples = ['<%= config.bin %> kb learned dental-almaty', '<%= config.bin %> kb learned dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbLearned);
    const entries = new LearningAdmin(this.openCell(this.loadConfig(flags))).learned(args.slug);
    if (flags.json) return this.printJson(entries);
    if (entries.length === 0) return this.log(`${args.slug} has no learned entries yet: managers add them with "Teach the bot" on a card, or approve proposals (botctl kb proposals ${args.slug}).`);
    for (const e of entries) {
      this.log(`learned:${e.id}  ${e.question}`);
      this.log(`    ${e.answer}`);
      this.log(`    ${e.origin === 'taught' ? `taught by ${e.taughtBy}` : e.origin === 'proposed' ? 'proposed by the bot' : 'imported'}${e.request !== null ? ` from request №${e.request}` : ''}, ${e.at}; approved by ${e.decidedBy ?? '?'} ${e.decidedAt ?? ''}`);
    }
  }
}
