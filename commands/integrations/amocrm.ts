import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { CrmAdmin } from '../../src/integrations/crm-admin.js';

export default class IntegrationsAmoCrm extends BotctlCommand {
  static override summary = 'Connect a tenant to amoCRM (Kommo), change its settings, or disconnect it (--remove).';
  static override description = 'On the first request of a customer botctl finds the contact by phone in amoCRM, else creates the contact and a lead; later requests add notes to that lead. The token is encrypted at rest and never printed.';
  static override examples = [
    '<%= config.bin %> integrations amocrm dental-almaty --subdomain dentalalmaty --token <long-lived token>',
    '<%= config.bin %> integrations amocrm dental-almaty --pipeline-id 7000 --status-id 142000',
    '<%= config.bin %> integrations amocrm dental-almaty --remove',
  ];
  static override args = slugArg;
  static override flags = {
    subdomain: Flags.string({ description: 'the account: <subdomain>.amocrm.ru' }),
    token: Flags.string({ description: 'long-lived token of the amoCRM integration' }),
    'api-url': Flags.string({ description: 'API address when not https://<subdomain>.amocrm.ru (e.g. https://<subdomain>.kommo.com)' }),
    'pipeline-id': Flags.integer({ description: 'pipeline of new leads (default: the account\'s main one)' }),
    'status-id': Flags.integer({ description: 'status of new leads in that pipeline' }),
    remove: Flags.boolean({ description: 'disconnect amoCRM from this tenant', exclusive: ['subdomain', 'token', 'api-url', 'pipeline-id', 'status-id'] }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsAmoCrm);
    const admin = new CrmAdmin(this.openCell(this.loadConfig(flags)));
    if (flags.remove) {
      admin.remove(args.slug, 'amocrm');
      return this.log(`amoCRM disconnected from ${args.slug}.`);
    }
    const view = admin.setAmoCrm(args.slug, {
      ...(flags.subdomain ? { subdomain: flags.subdomain } : {}), ...(flags.token ? { token: flags.token } : {}), ...(flags['api-url'] ? { apiUrl: flags['api-url'] } : {}),
      ...(flags['pipeline-id'] !== undefined ? { pipelineId: flags['pipeline-id'] } : {}), ...(flags['status-id'] !== undefined ? { statusId: flags['status-id'] } : {}),
    });
    if (flags.json) return this.printJson(view);
    if (view.resent) this.log(`${view.resent} event${view.resent === 1 ? '' : 's'} held while the connection was broken queued again.`);
    this.log(`amoCRM of ${args.slug}: ${JSON.stringify(view.settings)}, token set. Check it: botctl integrations test ${args.slug}`);
  }
}
