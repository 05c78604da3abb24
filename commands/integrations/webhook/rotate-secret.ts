import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../../src/cli/base-command.js';
import { parseDuration } from '../../../src/config/durations.js';
import { UserError } from '../../../src/errors.js';
import { WebhookAdmin } from '../../../src/integrations/webhook-admin.js';

export default class WebhookRotateSecret extends BotctlCommand {
  static override summary = 'Give an endpoint a new signing secret; the old one keeps signing during the overlap.';
  static override examples = ['<%= config.bin %> integrations webhook rotate-secret dental-almaty 3', '<%= config.bin %> integrations webhook rotate-secret dental-almaty 3 --overlap 0s'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    id: Args.integer({ description: 'endpoint id (botctl integrations webhook list <slug>)', required: true }),
  };
  static override flags = {
    overlap: Flags.string({ description: 'how long deliveries are also signed with the old secret (e.g. 24h; 0s ends it now)', default: '24h' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WebhookRotateSecret);
    const overlap = parseDuration(flags.overlap);
    if (overlap === null) throw new UserError(`--overlap "${flags.overlap}" is not a duration`, 'write it like 30m, 24h or 0s');
    const { endpoint, secret } = new WebhookAdmin(this.openCell(this.loadConfig(flags))).rotateSecret(args.slug, args.id, overlap);
    if (flags.json) return this.printJson({ ...endpoint, secret });
    this.log(`New signing secret of webhook ${args.id} (shown only now): ${secret}`);
    this.log(endpoint.previousSecretUntil ? `The old secret also signs until ${endpoint.previousSecretUntil}.` : 'The old secret no longer signs.');
  }
}
