import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';
import { UserError } from '../../src/errors.js';

export default class KbBudget extends BotctlCommand {
  static override summary = "Set a tenant's own knowledge budget in tokens, or go back to the cell's.";
  static override description = "Knowledge up to the budget goes whole into every prompt; beyond it turns get retrieval. The cell's default is BOTCTL_KNOWLEDGE_BUDGET_TOKENS.";
  static override examples = ['<%= config.bin %> kb budget dental-almaty 20000', '<%= config.bin %> kb budget dental-almaty cell'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    tokens: Args.string({ description: 'a number of tokens, or "cell" for the cell\'s default', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbBudget);
    let tokens: number | null = null;
    if (args.tokens !== 'cell') {
      if (!/^\d+$/.test(args.tokens)) throw new UserError(`"${args.tokens}" is not a number of tokens`, 'give a whole number such as 20000, or "cell" for the cell\'s default');
      tokens = Number(args.tokens);
    }
    const service = new KnowledgeService(this.openCell(this.loadConfig(flags)));
    service.setBudget(args.slug, tokens);
    const stats = service.stats(args.slug);
    this.log(`${args.slug}: budget ${stats.budgetTokens} tokens (${stats.budgetSource}); its knowledge is ${stats.tokens} tokens, so turns get mode ${stats.mode}.`);
  }
}
