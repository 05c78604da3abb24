import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { SalesAdmin } from '../../../src/sales/sales-admin.js';
import { TEMPLATE_PARAMS, TEMPLATE_PURPOSES } from '../../../src/sales/templates.js';

export default class TenantTemplatesAdd extends BotctlCommand {
  static override summary = "Register one of a tenant's approved WhatsApp templates (sent outside the 24-hour window).";
  static override examples = [
    '<%= config.bin %> tenant templates add dental-almaty --name appointment_reminder --language ru --params name,service,time --purpose reminder',
    '<%= config.bin %> tenant templates add dental-almaty --name follow_up --language ru --purpose reengagement',
  ];
  static override args = { slug: Args.string({ description: "the tenant's slug", required: true }) };
  static override flags = {
    name: Flags.string({ description: 'the template name exactly as approved by Meta', required: true }),
    language: Flags.string({ description: 'its approved language code (ru, kk, en, en_US…)', required: true }),
    params: Flags.string({ description: `its body parameters in order, from: ${TEMPLATE_PARAMS.join(', ')}`, default: '' }),
    purpose: Flags.string({ description: 'what the bot uses it for', options: [...TEMPLATE_PURPOSES] }),
    json: Flags.boolean({ description: 'print the template as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantTemplatesAdd);
    const params = flags.params.split(',').map((p) => p.trim()).filter(Boolean);
    const template = new SalesAdmin(this.openCell(this.loadConfig(flags))).addTemplate(args.slug, { name: flags.name, language: flags.language, params, purpose: flags.purpose ?? null });
    if (flags.json) return this.printJson(template);
    this.log(`Registered the template ${template.name} (${template.language}) of ${args.slug}${template.purpose ? ` for ${template.purpose}` : ''}.`);
  }
}
