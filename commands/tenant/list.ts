import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { viewTenant } from '../../src/tenants/tenant-view.js';
import { learningSettings } from '../../src/learning/learning-settings.js';
import { ChannelConnections } from '../../src/tenants/channel-connections.js';

export default class TenantList extends BotctlCommand {
  static override summary = 'List the tenants of this cell.';
  static override examples = ['<%= config.bin %> tenant list', '<%= config.bin %> tenant list --json'];
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(TenantList);
    const cell = this.openCell(this.loadConfig(flags));
    const records = new TenantService(cell).list();
    const tenants = records.map(viewTenant);
    if (flags.json) {
      const connections = new ChannelConnections({ db: cell.db, secrets: cell.secrets });
      return this.printJson(records.map((r, i) => ({ ...tenants[i]!, learning: learningSettings(cell, r), channels: connections.list(r.id) })));
    }
    if (tenants.length === 0) return this.log('No tenants yet. Add one with: botctl tenant add <slug> --name … --timezone …');
    for (const t of tenants) {
      this.log(`${t.slug.padEnd(24)} ${t.status.padEnd(8)} ${t.locale}  ${(t.whatsapp?.phoneNumberId ?? '-').padEnd(18)} ${String(t.telegramChatId ?? '-').padEnd(16)} ${t.name}`);
    }
  }
}
