import { Flags } from '@oclif/core';
import { Analytics } from '../src/analytics/analytics.js';
import { CHANNELS, parseChannel } from '../src/analytics/channels.js';
import { reportCsv, reportText } from '../src/analytics/report-text.js';
import { parseRange } from '../src/analytics/time-range.js';
import { BotctlCommand } from '../src/cli/base-command.js';
import { slugArg } from '../src/cli/tenant-flags.js';
import { UserError } from '../src/errors.js';
import { AnalyticsStore } from '../src/storage/analytics-store.js';

export default class Report extends BotctlCommand {
  static override summary = "The owner's numbers for a period: conversations, bot vs managers, reply and take times, per channel, managers, reasons (the dashboard shows the same).";
  static override examples = [
    '<%= config.bin %> report dental-almaty',
    '<%= config.bin %> report dental-almaty --period today',
    '<%= config.bin %> report dental-almaty --channel instagram',
    '<%= config.bin %> report dental-almaty --from 2026-11-01 --to 2026-11-30 --json',
    '<%= config.bin %> report dental-almaty --period 30d --csv > november.csv',
  ];
  static override args = slugArg;
  static override flags = {
    period: Flags.string({ description: 'today, 7d or 30d, ending today in the tenant\'s timezone (default 7d)', exclusive: ['from', 'to'] }),
    from: Flags.string({ description: 'first day, YYYY-MM-DD, in the tenant\'s timezone' }),
    to: Flags.string({ description: 'last day, YYYY-MM-DD, included (default today)' }),
    channel: Flags.string({ description: `only the customers of one channel: ${CHANNELS.join(', ')} (default all, with a line per channel)` }),
    json: Flags.boolean({ description: 'print JSON', exclusive: ['csv'] }),
    csv: Flags.boolean({ description: 'print one CSV row per day and a total row' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Report);
    const cell = this.openCell(this.loadConfig(flags));
    const store = new AnalyticsStore(cell.db);
    const tenant = store.tenantBySlug(args.slug);
    if (!tenant) throw new UserError(`there is no tenant "${args.slug}"`, 'see the tenants of this cell with: botctl tenant list');
    const now = Date.now();
    const range = parseRange({ preset: flags.period, from: flags.from, to: flags.to }, now, tenant.timezone);
    const channel = parseChannel(flags.channel);
    const report = new Analytics(store).report(tenant, range, channel);
    if (flags.json) return this.printJson({ ...report, range: { from: range.dayLabels[0], to: range.dayLabels.at(-1), timezone: range.timezone } });
    if (flags.csv) return this.log(reportCsv(report));
    for (const line of reportText(report, range, now)) this.log(line);
  }
}
