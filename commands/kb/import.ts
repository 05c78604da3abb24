import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';
import { describeChange } from './add.js';

export default class KbImport extends BotctlCommand {
  static override summary = "Add every knowledge file of a folder to a tenant's knowledge base.";
  static override description = 'Reads the .md, .markdown, .txt, .csv and .json files directly in the folder (not in subfolders); other files are listed as skipped. Every file is checked before anything is written: one broken file means none is imported. Sources already in the knowledge base but not in the folder are kept (remove them with botctl kb remove).';
  static override examples = ['<%= config.bin %> kb import dental-almaty /usr/share/botctl/templates/examples/dental-almaty'];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    dir: Args.string({ description: 'folder holding the knowledge files', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbImport);
    const cell = this.openCell(this.loadConfig(flags));
    const result = new KnowledgeService(cell).importDir(args.slug, args.dir);
    this.log(`Imported ${args.dir} into the knowledge of ${args.slug}:`);
    for (const change of result.sources) this.log(`  ${describeChange(change)}`);
    if (result.skipped.length > 0) this.log(`Skipped (not a knowledge file): ${result.skipped.join(', ')}`);
  }
}
