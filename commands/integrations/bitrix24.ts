import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { CrmAdmin } from '../../src/integrations/crm-admin.js';

export default class IntegrationsBitrix24 extends BotctlCommand {
  static override summary = 'Connect a tenant to Bitrix24 through an inbound webhook, or disconnect it (--remove).';
  static override description = 'On the first request of a customer botctl finds the contact (or a lead) by phone in Bitrix24, else adds a lead; later requests add timeline comments. The webhook URL is the credential: encrypted at rest, never printed.';
  static override examples = [
    '<%= config.bin %> integrations bitrix24 dental-almaty --webhook-url https://dental.bitrix24.kz/rest/1/<secret>/',
    '<%= config.bin %> integrations bitrix24 dental-almaty --remove',
  ];
  static override args = slugArg;
  static override flags = {
    'webhook-url': Flags.string({ description: 'the inbound webhook URL (https://<portal>/rest/<user>/<secret>/), scope crm' }),
    'source-id': Flags.string({ description: 'SOURCE_ID of new leads (e.g. WEB)' }),
    remove: Flags.boolean({ description: 'disconnect Bitrix24 from this tenant', exclusive: ['webhook-url', 'source-id'] }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsBitrix24);
    const admin = new CrmAdmin(this.openCell(this.loadConfig(flags)));
    if (flags.remove) {
      admin.remove(args.slug, 'bitrix24');
      return this.log(`Bitrix24 disconnected from ${args.slug}.`);
    }
    const view = admin.setBitrix24(args.slug, { ...(flags['webhook-url'] ? { webhookUrl: flags['webhook-url'] } : {}), ...(flags['source-id'] ? { sourceId: flags['source-id'] } : {}) });
    if (flags.json) return this.printJson(view);
    if (view.resent) this.log(`${view.resent} event${view.resent === 1 ? '' : 's'} held while the connection was broken queued again.`);
    this.log(`Bitrix24 of ${args.slug}: portal ${String(view.settings.portal)}, webhook set. Check it: botctl integrations test ${args.slug}`);
  }
}
