import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { WebhookAdmin } from '../../src/integrations/webhook-admin.js';

export default class IntegrationsDeliveries extends BotctlCommand {
  static override summary = 'The webhook delivery log of a tenant, newest first: event, endpoint, state, attempts, last answer.';
  static override examples = ['<%= config.bin %> integrations deliveries dental-almaty', '<%= config.bin %> integrations deliveries dental-almaty --state failed --json'];
  static override args = slugArg;
  static override flags = {
    endpoint: Flags.integer({ description: 'only this endpoint id' }),
    state: Flags.string({ description: 'pending, delivered or failed' }),
    limit: Flags.integer({ description: 'most deliveries to show', default: 50, min: 1, max: 10_000 }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsDeliveries);
    const rows = new WebhookAdmin(this.openCell(this.loadConfig(flags))).deliveries(args.slug, {
      limit: flags.limit, ...(flags.endpoint !== undefined ? { endpointId: flags.endpoint } : {}), ...(flags.state ? { state: flags.state } : {}),
    });
    if (flags.json) return this.printJson(rows);
    if (rows.length === 0) return this.log(`no webhook deliveries for ${args.slug}`);
    for (const d of rows) {
      const answer = d.lastStatus !== null ? `HTTP ${d.lastStatus}` : d.lastError ?? '';
      this.log(`${String(d.id).padStart(8)}  ${d.state.padEnd(9)}  ${d.eventType.padEnd(20)} ${d.eventKey}  endpoint ${d.endpointId}  ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}  ${answer}  ${new Date(d.updatedAt).toISOString()}`);
    }
  }
}
