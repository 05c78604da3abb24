import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { forgetContact } from '../../src/sales/contact-admin.js';

export default class ContactForget extends BotctlCommand {
  static override summary = "Remove a customer's memory and personal data (name, message texts, booking names, summaries); audited.";
  static override examples = ['<%= config.bin %> contact forget dental-almaty +77051234567'];
  static override args = {
    slug: Args.string({ description: "the tenant's slug", required: true }),
    address: Args.string({ description: "the customer's phone (or WhatsApp user id)", required: true }),
  };
  static override flags = { json: Flags.boolean({ description: 'print what was removed as JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContactForget);
    const report = forgetContact(this.openCell(this.loadConfig(flags)), args.slug, args.address);
    if (flags.json) return this.printJson(report);
    this.log(`Forgot customer #${report.contactId} of ${args.slug}: memory ${report.memory ? 'removed' : 'was empty'}, ${report.messages} message texts, ${report.bookings} booking names, ${report.handovers} summaries.`);
  }
}
