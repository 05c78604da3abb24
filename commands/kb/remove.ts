import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { UserError } from '../../src/errors.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';
import { LearningAdmin } from '../../src/learning/learning-admin.js';
import { LEARNED_SOURCE } from '../../src/storage/learning-store.js';

export default class KbRemove extends BotctlCommand {
  static override summary = "Delete a source and its chunks from a tenant's knowledge base.";
  static override description = 'Without --yes it only says what would be deleted. The bot stops using the source at its next answer.';
  static override examples = ['<%= config.bin %> kb remove dental-almaty old-prices.md', '<%= config.bin %> kb remove dental-almaty old-prices.md --yes', '<%= config.bin %> kb remove dental-almaty learned:12 --yes'];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    source: Args.string({ description: 'source name (the file name, as kb list shows it); learned:<id> for one learned entry, learned for all', required: true }),
  };
  static override flags = { yes: Flags.boolean({ description: 'really delete' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbRemove);
    const cell = this.openCell(this.loadConfig(flags));
    const learnedEntry = /^learned:(\d+)$/.exec(args.source);
    if (learnedEntry || args.source === LEARNED_SOURCE) {
      const admin = new LearningAdmin(cell);
      if (!flags.yes) {
        throw new UserError(`removing ${args.source} from the knowledge of ${args.slug} stops the bot answering from ${learnedEntry ? 'that learned entry' : 'every learned entry'}`, `run botctl kb remove ${args.slug} ${args.source} --yes to confirm (botctl kb learned ${args.slug} lists them)`);
      }
      if (learnedEntry) {
        const entry = admin.remove(args.slug, Number(learnedEntry[1]));
        return this.log(`Removed learned entry ${entry.id} ("${entry.question}") from the knowledge of ${args.slug}.`);
      }
      return this.log(`Removed ${admin.removeAll(args.slug)} learned entries from the knowledge of ${args.slug}.`);
    }
    const service = new KnowledgeService(cell);
    if (!flags.yes) {
      const source = service.removalImpact(args.slug, args.source);
      throw new UserError(
        `removing ${source.name} from the knowledge of ${args.slug} deletes its ${source.chunkCount} chunks, and the bot will no longer answer from it`,
        `run botctl kb remove ${args.slug} ${args.source} --yes to confirm`,
      );
    }
    const deleted = service.remove(args.slug, args.source);
    this.log(`Removed ${args.source} from the knowledge of ${args.slug}: deleted ${deleted} chunks.`);
  }
}
