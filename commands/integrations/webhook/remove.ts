import { Args } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { WebhookAdmin } from '../../../src/integrations/webhook-admin.js';

export default class WebhookRemove extends BotctlCommand {
  static override summary = 'Stop sending webhooks to an endpoint (its delivery log goes with it).';
  static override examples = ['<%= config.bin %> integrations webhook remove dental-almaty 3'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    id: Args.integer({ description: 'endpoint id (botctl integrations webhook list <slug>)', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WebhookRemove);
    new WebhookAdmin(this.openCell(this.loadConfig(flags))).remove(args.slug, args.id);
    this.log(`Removed webhook ${args.id} of ${args.slug}.`);
  }
}
