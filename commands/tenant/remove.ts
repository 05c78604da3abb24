import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { UserError } from '../../src/errors.js';
import { TenantService } from '../../src/tenants/tenant-service.js';

export default class TenantRemove extends BotctlCommand {
  static override summary = 'Delete a tenant with all its contacts, messages, handovers and jobs.';
  static override description = 'Without --yes it only says what would be deleted. Export the tenant first if it moves to another cell.';
  static override examples = ['<%= config.bin %> tenant remove dental-almaty', '<%= config.bin %> tenant remove dental-almaty --yes'];
  static override args = slugArg;
  static override flags = { yes: Flags.boolean({ description: 'really delete' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantRemove);
    const cell = this.openCell(this.loadConfig(flags));
    const service = new TenantService(cell);
    const describe = (n: ReturnType<TenantService['removalImpact']>) =>
      `${n.contacts} contacts, ${n.messages} messages, ${n.handovers} handovers and ${n.jobs} jobs`;
    if (!flags.yes) {
      const impact = service.removalImpact(args.slug);
      throw new UserError(
        `removing tenant ${args.slug} deletes its settings, secrets, ${describe(impact)}, and cannot be undone`,
        `run botctl tenant remove ${args.slug} --yes to confirm`,
      );
    }
    const deleted = service.remove(args.slug);
    this.log(`Removed tenant ${args.slug}: deleted ${describe(deleted)}.`);
  }
}
