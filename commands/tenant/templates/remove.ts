import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { SalesAdmin } from '../../../src/sales/sales-admin.js';

export default class TenantTemplatesRemove extends BotctlCommand {
  static override summary = "Remove a tenant's registered WhatsApp template (every language, or one with --language).";
  static override examples = ['<%= config.bin %> tenant templates remove dental-almaty --name appointment_reminder --language ru'];
  static override args = { slug: Args.string({ description: "the tenant's slug", required: true }) };
  static override flags = {
    name: Flags.string({ description: 'the template name', required: true }),
    language: Flags.string({ description: 'only this language' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantTemplatesRemove);
    const removed = new SalesAdmin(this.openCell(this.loadConfig(flags))).removeTemplate(args.slug, flags.name, flags.language ?? null);
    this.log(`Removed ${removed} template${removed === 1 ? '' : 's'} named ${flags.name} from ${args.slug}.`);
  }
}
