import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbEmbed extends BotctlCommand {
  static override summary = "Compute now the embeddings of a tenant's chunks that lack one, whatever its budget (the worker does it for knowledge beyond the budget).";
  static override description = 'Batched and resumable: an interrupted run keeps every batch it finished. Useful before botctl eval --retrieval on a cell whose worker is not running.';
  static override examples = ['<%= config.bin %> kb embed parts', '<%= config.bin %> kb embed parts --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbEmbed);
    const result = await new KnowledgeService(this.openCell(this.loadConfig(flags))).embed(args.slug, new AbortController().signal);
    if (flags.json) return this.printJson(result);
    this.log(`${result.embedded} chunks embedded by ${result.model} in ${result.batches} requests (${result.tokens} tokens); every chunk of ${args.slug} now has a vector.`);
  }
}
