import { Args } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { JobAdmin } from '../../src/jobs/admin.js';

export default class JobsRetry extends BotctlCommand {
  static override summary = 'Put a dead job back in the queue with fresh attempts.';
  static override examples = ['<%= config.bin %> jobs retry 42'];
  static override args = { id: Args.integer({ description: 'id of a dead job', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobsRetry);
    const job = new JobAdmin(this.openCell(this.loadConfig(flags))).retry(args.id);
    this.log(`Job ${job.id} (${job.kind}) is pending again; a running worker picks it up within a second.`);
  }
}
