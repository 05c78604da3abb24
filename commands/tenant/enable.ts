import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { TenantService } from '../../src/tenants/tenant-service.js';

export default class TenantEnable extends BotctlCommand {
  static override summary = 'Serve a disabled tenant again.';
  static override examples = ['<%= config.bin %> tenant enable dental-almaty'];
  static override args = slugArg;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantEnable);
    const cell = this.openCell(this.loadConfig(flags));
    const tenant = new TenantService(cell).setStatus(args.slug, 'active');
    this.log(`Tenant ${tenant.slug} is now ${tenant.status}.`);
  }
}
