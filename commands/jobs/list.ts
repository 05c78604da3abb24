import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { JobAdmin } from '../../src/jobs/admin.js';

export default class JobsList extends BotctlCommand {
  static override summary = 'List jobs, newest first, with counts by state.';
  static override examples = ['<%= config.bin %> jobs list --state dead', '<%= config.bin %> jobs list --tenant dental-almaty --kind deliver_message --json'];
  static override flags = {
    state: Flags.string({ description: 'pending, running, done or dead' }),
    kind: Flags.string({ description: 'job kind, e.g. deliver_message' }),
    tenant: Flags.string({ description: 'tenant slug' }),
    limit: Flags.integer({ description: 'most jobs to show', default: 50, min: 1, max: 10_000 }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(JobsList);
    const admin = new JobAdmin(this.openCell(this.loadConfig(flags)));
    const jobs = admin.list(flags);
    const counts = admin.counts();
    if (flags.json) return this.printJson({ counts, jobs });
    this.log(`pending ${counts.pending}, running ${counts.running}, done ${counts.done}, dead ${counts.dead}`);
    for (const j of jobs) {
      const when = new Date(j.state === 'pending' ? j.runAt : j.updatedAt).toISOString();
      this.log(`${String(j.id).padStart(8)}  ${j.state.padEnd(7)}  ${j.kind.padEnd(22)} ${j.attempts}/${j.maxAttempts}  ${when}  ${j.lastError ? j.lastError.slice(0, 80) : ''}`);
    }
  }
}
