import { Flags } from '@oclif/core';
import { Analytics } from '../../src/analytics/analytics.js';
import { gapsText } from '../../src/analytics/report-text.js';
import { parseRange } from '../../src/analytics/time-range.js';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { UserError } from '../../src/errors.js';
import { AnalyticsStore } from '../../src/storage/analytics-store.js';

export default class KbGaps extends BotctlCommand {
  static override summary = 'Questions the bot handed over because its knowledge had no answer, similar ones grouped and counted, newest first.';
  static override examples = ['<%= config.bin %> kb gaps dental-almaty', '<%= config.bin %> kb gaps dental-almaty --period 7d --json'];
  static override args = slugArg;
  static override flags = {
    period: Flags.string({ description: 'today, 7d or 30d, ending today in the tenant\'s timezone (default 30d)', exclusive: ['from', 'to'] }),
    from: Flags.string({ description: 'first day, YYYY-MM-DD, in the tenant\'s timezone' }),
    to: Flags.string({ description: 'last day, YYYY-MM-DD, included (default today)' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbGaps);
    const cell = this.openCell(this.loadConfig(flags));
    const store = new AnalyticsStore(cell.db);
    const tenant = store.tenantBySlug(args.slug);
    if (!tenant) throw new UserError(`there is no tenant "${args.slug}"`, 'see the tenants of this cell with: botctl tenant list');
    const range = parseRange({ preset: flags.period ?? (flags.from || flags.to ? undefined : '30d'), from: flags.from, to: flags.to }, Date.now(), tenant.timezone);
    const gaps = new Analytics(store).knowledgeGaps(tenant.id, range);
    if (flags.json) return this.printJson(gaps);
    if (gaps.length === 0) return this.log(`No knowledge gaps for ${args.slug} from ${range.dayLabels[0]} to ${range.dayLabels.at(-1)}.`);
    for (const line of gapsText(gaps, tenant.timezone)) this.log(line);
    this.log('', `Add the answers with: botctl kb add ${args.slug} <file>`);
  }
}
