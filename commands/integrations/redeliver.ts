import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { WebhookAdmin } from '../../src/integrations/webhook-admin.js';

export default class IntegrationsRedeliver extends BotctlCommand {
  static override summary = 'Send a webhook delivery again (same event id and body, signed anew) through the queue.';
  static override examples = ['<%= config.bin %> integrations redeliver 1234'];
  static override args = { id: Args.integer({ description: 'delivery id (botctl integrations deliveries <slug>)', required: true }) };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsRedeliver);
    const result = new WebhookAdmin(this.openCell(this.loadConfig(flags))).redeliver(args.id);
    if (flags.json) return this.printJson(result);
    this.log(`Delivery ${result.deliveryId} of ${result.tenant} queued again (job ${result.jobId}); the worker sends it.`);
  }
}
