import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { HandoverAdmin } from '../../src/desk/handover-admin.js';

export default class HandoverResolve extends BotctlCommand {
  static override summary = 'Resolve a request as an operator: the bot answers the customer again.';
  static override examples = ['<%= config.bin %> handover resolve dental-almaty 12'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    number: Args.integer({ description: 'request number (as on the card)', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HandoverResolve);
    const h = new HandoverAdmin(this.openCell(this.loadConfig(flags))).resolve(args.slug, args.number);
    this.log(`Request №${h.number} of ${args.slug} is now ${h.status}; a running worker updates its card.`);
  }
}
