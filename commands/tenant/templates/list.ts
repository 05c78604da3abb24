import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { SalesAdmin } from '../../../src/sales/sales-admin.js';

export default class TenantTemplatesList extends BotctlCommand {
  static override summary = "List a tenant's registered WhatsApp templates.";
  static override examples = ['<%= config.bin %> tenant templates list dental-almaty --json'];
  static override args = { slug: Args.string({ description: "the tenant's slug", required: true }) };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantTemplatesList);
    const list = new SalesAdmin(this.openCell(this.loadConfig(flags))).listTemplates(args.slug);
    if (flags.json) return this.printJson(list);
    if (list.length === 0) return this.log(`${args.slug} has no templates: register one with botctl tenant templates add ${args.slug} --name … --language …`);
    for (const t of list) this.log(`${t.name.padEnd(32)} ${t.language.padEnd(6)} ${(t.purpose ?? '-').padEnd(13)} ${t.params.join(', ') || '(no parameters)'}`);
  }
}
