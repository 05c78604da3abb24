import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { slugArg } from '../../../src/cli/tenant-flags.js';
import { WebhookAdmin } from '../../../src/integrations/webhook-admin.js';

export default class WebhookList extends BotctlCommand {
  static override summary = 'List a tenant\'s webhook endpoints with their events and state (never their secrets).';
  static override examples = ['<%= config.bin %> integrations webhook list dental-almaty', '<%= config.bin %> integrations webhook list dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WebhookList);
    const endpoints = new WebhookAdmin(this.openCell(this.loadConfig(flags))).list(args.slug);
    if (flags.json) return this.printJson(endpoints);
    if (endpoints.length === 0) return this.log(`${args.slug} has no webhook endpoints (add one: botctl integrations webhook add ${args.slug} --url … --events …)`);
    for (const e of endpoints) {
      this.log(`${String(e.id).padStart(5)}  ${e.status.padEnd(7)}  ${e.url}  ${e.events.join(',')}${e.previousSecretUntil ? `  (old secret valid until ${e.previousSecretUntil})` : ''}`);
      if (e.statusDetail) this.log(`       ${e.statusDetail}`);
    }
  }
}
