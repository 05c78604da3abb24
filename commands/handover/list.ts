import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { HandoverAdmin } from '../../src/desk/handover-admin.js';

export default class HandoverList extends BotctlCommand {
  static override summary = "List a tenant's open requests (waiting and taken), or all recent ones with --all.";
  static override examples = ['<%= config.bin %> handover list dental-almaty', '<%= config.bin %> handover list dental-almaty --all --json'];
  static override args = slugArg;
  static override flags = { all: Flags.boolean({ description: 'include resolved requests (newest 200)' }), json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HandoverList);
    const list = new HandoverAdmin(this.openCell(this.loadConfig(flags))).list(args.slug, { all: flags.all });
    if (flags.json) return this.printJson(list);
    if (list.length === 0) return this.log(flags.all ? 'No requests yet.' : 'No open requests.');
    const time = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' '));
    for (const h of list) {
      this.log(`№${String(h.number).padEnd(5)} ${h.status.padEnd(8)} created ${time(h.createdAt)}  ${(h.assignedToName ?? '-').padEnd(16)} ${h.customerName ?? ''} +${h.customerPhone}  ${h.reason}`);
    }
  }
}
