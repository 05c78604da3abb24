import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';

export default class OffersRemove extends BotctlCommand {
  static override summary = 'Remove an offer (its counts are kept).';
  static override examples = ['<%= config.bin %> offers remove dental-almaty 3'];
  static override args = {
    slug: Args.string({ description: "the tenant's slug", required: true }),
    id: Args.integer({ description: 'the offer number (botctl offers list)', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(OffersRemove);
    new SalesAdmin(this.openCell(this.loadConfig(flags))).removeOffer(args.slug, args.id);
    this.log(`Removed offer #${args.id} of ${args.slug}.`);
  }
}
