import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';

export default class OffersAdd extends BotctlCommand {
  static override summary = 'Add an offer the bot may propose when it fits (quoted exactly, at most once per conversation).';
  static override examples = ['<%= config.bin %> offers add dental-almaty --when "the customer asks about a cleaning" --text "С чисткой отбеливание со скидкой 20%: 36 000 ₸." --service "Отбеливание / Whitening / Ағарту"'];
  static override args = slugArg;
  static override flags = {
    when: Flags.string({ description: 'when the offer fits, in words the bot reads', required: true }),
    text: Flags.string({ description: 'the offer exactly as the customer reads it (its prices and discounts become knowledge)', required: true }),
    service: Flags.string({ description: 'a service of the tenant: booking it after the offer counts as accepted' }),
    json: Flags.boolean({ description: 'print the offer as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(OffersAdd);
    const offer = new SalesAdmin(this.openCell(this.loadConfig(flags))).addOffer(args.slug, { when: flags.when, text: flags.text, service: flags.service ?? null });
    if (flags.json) return this.printJson(offer);
    this.log(`Added offer #${offer.id} of ${args.slug}.`);
  }
}
