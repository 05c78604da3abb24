import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { TenantService } from '../../src/tenants/tenant-service.js';

export default class TenantDisable extends BotctlCommand {
  static override summary = 'Stop serving a tenant: its webhooks are acknowledged but not answered, and no cards are posted.';
  static override examples = ['<%= config.bin %> tenant disable dental-almaty'];
  static override args = slugArg;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantDisable);
    const cell = this.openCell(this.loadConfig(flags));
    const tenant = new TenantService(cell).setStatus(args.slug, 'disabled');
    this.log(`Tenant ${tenant.slug} is now ${tenant.status}.`);
  }
}
