import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { channelLines, tenantLines } from '../../src/cli/print-tenant.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { ChannelConnections } from '../../src/tenants/channel-connections.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { viewTenant } from '../../src/tenants/tenant-view.js';
import { learningLine, learningSettings } from '../../src/learning/learning-settings.js';

export default class TenantShow extends BotctlCommand {
  static override summary = "Show a tenant's settings (secrets shown only as set or missing).";
  static override examples = ['<%= config.bin %> tenant show dental-almaty', '<%= config.bin %> tenant show dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantShow);
    const cell = this.openCell(this.loadConfig(flags));
    const record = new TenantService(cell).get(args.slug);
    const tenant = viewTenant(record);
    const channels = new ChannelConnections({ db: cell.db, secrets: cell.secrets }).list(record.id);
    if (flags.json) return this.printJson({ ...tenant, learning: learningSettings(cell, record), channels });
    for (const line of tenantLines(tenant)) this.log(line);
    this.log(learningLine(cell, record));
    for (const line of channelLines(channels)) this.log(line);
  }
}
