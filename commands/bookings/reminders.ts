import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';

export default class BookingsReminders extends BotctlCommand {
  static override summary = 'Show or set when customers are reminded of a confirmed appointment (default 24h and 2h before).';
  static override examples = ['<%= config.bin %> bookings reminders dental-almaty --before 24h,2h', '<%= config.bin %> bookings reminders dental-almaty'];
  static override args = slugArg;
  static override flags = {
    before: Flags.string({ description: 'how long before the appointment, comma-separated (e.g. 24h,2h); "" for no reminders' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BookingsReminders);
    const admin = new SalesAdmin(this.openCell(this.loadConfig(flags)));
    const offsets = flags.before === undefined ? admin.reminders(args.slug) : admin.setReminders(args.slug, flags.before);
    this.log(offsets.length ? `${args.slug} reminds customers ${offsets.join(' and ')} before a confirmed appointment.` : `${args.slug} sends no appointment reminders.`);
  }
}
