import { BotctlCommand } from '../../src/cli/base-command.js';
import { tenantLines } from '../../src/cli/print-tenant.js';
import { slugArg, tenantSettingFlags, toTenantInput } from '../../src/cli/tenant-flags.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { viewTenant } from '../../src/tenants/tenant-view.js';

export default class TenantUpdate extends BotctlCommand {
  static override summary = "Change a tenant's settings; only the flags given change.";
  static override examples = [
    '<%= config.bin %> tenant update dental-almaty --locale kk --remind-after 3m',
    '<%= config.bin %> tenant update dental-almaty --whatsapp-token "$NEW_WA_TOKEN"',
  ];
  static override args = slugArg;
  static override flags = tenantSettingFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantUpdate);
    const cell = this.openCell(this.loadConfig(flags));
    const tenant = new TenantService(cell).update(args.slug, toTenantInput(flags));
    this.log(`Updated tenant ${tenant.slug}.`);
    for (const line of tenantLines(viewTenant(tenant))) this.log(line);
  }
}
