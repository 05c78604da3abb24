import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';

export default class OffersList extends BotctlCommand {
  static override summary = "List a tenant's offers with how often each was offered and accepted.";
  static override examples = ['<%= config.bin %> offers list dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(OffersList);
    const list = new SalesAdmin(this.openCell(this.loadConfig(flags))).listOffers(args.slug);
    if (flags.json) return this.printJson(list);
    if (list.length === 0) return this.log(`${args.slug} has no offers: add one with botctl offers add ${args.slug} --when "…" --text "…"`);
    for (const o of list) this.log(`#${String(o.id).padEnd(4)} offered ${String(o.offered).padStart(4)} · accepted ${String(o.accepted).padStart(4)}  when: ${o.when}\n      ${o.text}`);
  }
}
