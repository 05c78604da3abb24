import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { UserError } from '../../src/errors.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbRemove extends BotctlCommand {
  static override summary = "Delete a source and its chunks from a tenant's knowledge base.";
  static override description = 'Without --yes it only says what would be deleted. The bot stops using the source at its next answer.';
  static override examples = ['<%= config.bin %> kb remove dental-almaty old-prices.md', '<%= config.bin %> kb remove dental-almaty old-prices.md --yes'];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    source: Args.string({ description: 'source name (the file name, as kb list shows it)', required: true }),
  };
  static override flags = { yes: Flags.boolean({ description: 'really delete' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbRemove);
    const cell = this.openCell(this.loadConfig(flags));
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
