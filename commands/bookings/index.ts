import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { BOOKING_STATES, SalesAdmin } from '../../src/sales/sales-admin.js';

export default class Bookings extends BotctlCommand {
  static override summary = "List a tenant's booking requests with their state and history (newest first).";
  static override examples = ['<%= config.bin %> bookings dental-almaty', '<%= config.bin %> bookings dental-almaty --state requested --json'];
  static override args = slugArg;
  static override flags = {
    state: Flags.string({ description: 'only bookings in this state', options: [...BOOKING_STATES] }),
    limit: Flags.integer({ description: 'at most this many', default: 100, min: 1, max: 1000 }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Bookings);
    const list = new SalesAdmin(this.openCell(this.loadConfig(flags))).listBookings(args.slug, { ...(flags.state ? { state: flags.state } : {}), limit: flags.limit });
    if (flags.json) return this.printJson(list);
    if (list.length === 0) return this.log(`No booking requests for ${args.slug}${flags.state ? ` in state ${flags.state}` : ''}.`);
    const time = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    for (const b of list) {
      this.log(`#${String(b.id).padEnd(5)} ${b.state.padEnd(10)} ${time(b.createdAt)}  ${b.service} · ${b.preferredTime} · ${b.customerName} +${b.customerPhone}`);
      for (const e of b.events) this.log(`        ${time(e.at)} ${e.state} by ${e.actorKind}${e.actorName ? ` ${e.actorName}` : ''}`);
    }
  }
}
