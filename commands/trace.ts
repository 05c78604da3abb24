import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { UserError } from '../src/errors.js';
import { formatTrace } from '../src/ops/trace/format-trace.js';
import { traceMessage } from '../src/ops/trace/trace-report.js';
import { TenantStore } from '../src/storage/tenant-store.js';

export default class Trace extends BotctlCommand {
  static override summary = 'Print the path of one customer message: webhook, jobs, LLM calls, guardrails, reply, delivery, handover.';
  static override description = 'Give a WhatsApp message id (wamid), our message id, a trace id, or the customer\'s phone (digits, with or without +). '
    + 'A phone lists that customer\'s last 10 messages in every tenant and traces the latest. Each step shows the time since the first one and its '
    + 'duration; every error carries what to do about it.';
  static override examples = [
    '<%= config.bin %> trace wamid.HBgLNzcwMTIzNDU2NzgVAgASGBQzQUE4',
    '<%= config.bin %> trace +77011234567 --tenant dental-almaty',
    '<%= config.bin %> trace 4182 --json',
  ];
  static override args = { query: Args.string({ description: 'wamid, message id, trace id, or the customer\'s phone', required: true }) };
  static override flags = {
    tenant: Flags.string({ description: 'only this tenant (slug)' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Trace);
    const cell = this.openCell(this.loadConfig(flags));
    if (flags.tenant && !new TenantStore(cell.db).findBySlug(flags.tenant)) {
      throw new UserError(`there is no tenant "${flags.tenant}"`, 'see the tenants of this cell with: botctl tenant list');
    }
    const report = traceMessage(cell.db, args.query, flags.tenant ? { tenant: flags.tenant } : {});
    if (flags.json) return this.printJson(report);
    for (const line of formatTrace(report)) this.log(line);
  }
}
