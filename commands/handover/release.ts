import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { HandoverAdmin } from '../../src/desk/handover-admin.js';

export default class HandoverRelease extends BotctlCommand {
  static override summary = 'Put a taken request back in the queue as an operator (its manager is away).';
  static override examples = ['<%= config.bin %> handover release dental-almaty 12'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    number: Args.integer({ description: 'request number (as on the card)', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HandoverRelease);
    const h = new HandoverAdmin(this.openCell(this.loadConfig(flags))).release(args.slug, args.number);
    this.log(`Request №${h.number} of ${args.slug} is now ${h.status}; a running worker updates its card.`);
  }
}
