import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { slugArg } from '../../../src/cli/tenant-flags.js';
import { SUBSCRIBABLE_EVENTS } from '../../../src/integrations/payloads.js';
import { WebhookAdmin } from '../../../src/integrations/webhook-admin.js';

export default class WebhookAdd extends BotctlCommand {
  static override summary = 'Send a tenant\'s events to a URL as signed webhooks; prints the signing secret once.';
  static override description = `Events: ${SUBSCRIBABLE_EVENTS.join(', ')} (or all). Each POST carries Botctl-Signature (HMAC-SHA256 over timestamp and body); see docs/integrations/webhooks.md for how to verify it.`;
  static override examples = [
    '<%= config.bin %> integrations webhook add dental-almaty --url https://crm.example.com/hooks/botctl --events handover.opened,handover.resolved',
    '<%= config.bin %> integrations webhook add dental-almaty --url https://hooks.example.com/in --events all --json',
  ];
  static override args = slugArg;
  static override flags = {
    url: Flags.string({ description: 'the receiver\'s https URL', required: true }),
    events: Flags.string({ description: 'comma-separated event types, or all', required: true }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WebhookAdd);
    const { endpoint, secret } = new WebhookAdmin(this.openCell(this.loadConfig(flags))).add(args.slug, { url: flags.url, events: flags.events });
    if (flags.json) return this.printJson({ ...endpoint, secret });
    this.log(`Webhook ${endpoint.id} of ${args.slug}: ${endpoint.url} (${endpoint.events.join(', ')})`);
    this.log(`Signing secret (shown only now; give it to the receiver): ${secret}`);
  }
}
