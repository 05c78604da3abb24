import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { CrmAdmin } from '../../src/integrations/crm-admin.js';
import { WebhookAdmin } from '../../src/integrations/webhook-admin.js';

export default class IntegrationsList extends BotctlCommand {
  static override summary = 'What a tenant is connected to: CRMs and webhook endpoints, with their state (never their secrets).';
  static override examples = ['<%= config.bin %> integrations list dental-almaty', '<%= config.bin %> integrations list dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsList);
    const cell = this.openCell(this.loadConfig(flags));
    const crm = new CrmAdmin(cell).list(args.slug);
    const webhooks = new WebhookAdmin(cell).list(args.slug);
    if (flags.json) return this.printJson({ crm, webhooks });
    if (crm.length + webhooks.length === 0) return this.log(`${args.slug} has no integrations (botctl integrations --help shows how to add them)`);
    for (const c of crm) this.log(`${c.provider.padEnd(9)} ${c.status.padEnd(7)} ${JSON.stringify(c.settings)}${c.statusDetail ? `  ${c.statusDetail}` : ''}`);
    for (const w of webhooks) this.log(`webhook ${String(w.id).padEnd(3)} ${w.status.padEnd(7)} ${w.url} ${w.events.join(',')}${w.statusDetail ? `  ${w.statusDetail}` : ''}`);
  }
}
