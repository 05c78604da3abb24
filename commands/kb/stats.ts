import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbStats extends BotctlCommand {
  static override summary = "Show the size of a tenant's knowledge in tokens, the retrieval mode its customers' turns get, and embedding coverage.";
  static override description = 'Knowledge within the budget goes whole into every prompt (mode whole); beyond it a turn gets hybrid retrieval (words and meaning), or words alone when no embeddings API is configured (lexical).';
  static override examples = ['<%= config.bin %> kb stats dental-almaty', '<%= config.bin %> kb stats dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbStats);
    const stats = new KnowledgeService(this.openCell(this.loadConfig(flags))).stats(args.slug);
    if (flags.json) return this.printJson(stats);
    this.log(`tenant      ${stats.tenant}`);
    this.log(`knowledge   ${stats.chunks} chunks, ${stats.tokens} tokens`);
    this.log(`budget      ${stats.budgetTokens} tokens (${stats.budgetSource === 'tenant' ? 'this tenant\'s own; botctl kb budget ' + stats.tenant + ' cell resets it' : 'the cell\'s BOTCTL_KNOWLEDGE_BUDGET_TOKENS'})`);
    this.log(`mode        ${stats.mode}${stats.mode === 'whole' ? ': all of it goes into every prompt' : stats.mode === 'hybrid' ? ': words and meaning, fused, plus the table of contents' : ': words alone (no embeddings API configured), plus the table of contents'}`);
    this.log(`embeddings  ${stats.embeddingModel ? `${stats.embedded} of ${stats.chunks} chunks by ${stats.embeddingModel}${stats.embedded < stats.chunks ? ` (the worker embeds the rest, or: botctl kb embed ${stats.tenant})` : ''}` : 'not configured'}`);
  }
}
