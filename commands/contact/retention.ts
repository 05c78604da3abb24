import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';

export default class ContactRetention extends BotctlCommand {
  static override summary = "Show or set how long a tenant keeps customers' memories after they were last written.";
  static override examples = ['<%= config.bin %> contact retention dental-almaty --days 365', '<%= config.bin %> contact retention dental-almaty --forever'];
  static override args = slugArg;
  static override flags = {
    days: Flags.integer({ description: 'keep a memory this many days after it was last written (then it is removed)', exclusive: ['forever'] }),
    forever: Flags.boolean({ description: 'keep memories until the customer asks to be forgotten (the default)', exclusive: ['days'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContactRetention);
    const admin = new SalesAdmin(this.openCell(this.loadConfig(flags)));
    if (flags.days !== undefined || flags.forever) admin.setMemoryRetention(args.slug, flags.forever ? null : flags.days!);
    const days = admin.memoryRetention(args.slug);
    this.log(days === null ? `${args.slug} keeps customers' memories until they ask to be forgotten.` : `${args.slug} keeps a customer's memory ${days} days after it was last written.`);
  }
}
