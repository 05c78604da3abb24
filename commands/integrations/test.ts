import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { testIntegrations } from '../../src/integrations/test-integrations.js';

export default class IntegrationsTest extends BotctlCommand {
  static override summary = 'Check a tenant\'s CRM credentials and send a signed sample event to each of its webhooks.';
  static override description = 'The CRM checks only read (nothing is created); each webhook endpoint gets one `integration.test` event. Exit code 1 when any fails.';
  static override examples = ['<%= config.bin %> integrations test dental-almaty', '<%= config.bin %> integrations test dental-almaty --json'];
  static override args = slugArg;
  static override flags = {
    'timeout-ms': Flags.integer({ description: 'how long each call may take', default: 10_000, min: 100 }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(IntegrationsTest);
    const results = await testIntegrations(this.openCell(this.loadConfig(flags)), args.slug, { timeoutMs: flags['timeout-ms'] });
    if (flags.json) this.printJson(results);
    else for (const r of results) this.log(`${r.ok ? '✓' : '✗'} ${r.subject}: ${r.detail}${r.fix ? `\n    fix: ${r.fix}` : ''}`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  }
}
