import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { JobAdmin } from '../../src/jobs/admin.js';

export default class JobsShow extends BotctlCommand {
  static override summary = 'Show one job: payload, attempts, lease and last error.';
  static override examples = ['<%= config.bin %> jobs show 42', '<%= config.bin %> jobs show 42 --json'];
  static override args = { id: Args.integer({ description: 'job id (from botctl jobs list)', required: true }) };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobsShow);
    const job = new JobAdmin(this.openCell(this.loadConfig(flags))).get(args.id);
    if (flags.json) return this.printJson(job);
    const time = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
    this.log(`job ${job.id} ${job.kind}: ${job.state}, attempt ${job.attempts} of ${job.maxAttempts}`);
    this.log(`  run at ${time(job.runAt)}, created ${time(job.createdAt)}, finished ${time(job.finishedAt)}`);
    this.log(`  key ${job.concurrencyKey ?? '-'}, unique ${job.uniqueKey ?? '-'}, trace ${job.traceId ?? '-'}`);
    if (job.state === 'running') this.log(`  leased by ${job.lockedBy} until ${time(job.lockedUntil)}`);
    this.log(`  payload ${JSON.stringify(job.payload)}`);
    if (job.lastError) this.log(`  last error: ${job.lastError}`);
  }
}
