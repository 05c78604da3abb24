import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { LitestreamCli } from '../../src/ops/backup/litestream-cli.js';
import { verifyBackup } from '../../src/ops/backup/verify.js';

export default class BackupVerify extends BotctlCommand {
  static override summary = 'Prove the backup restores: restore it to a temporary file, check its integrity, compare row counts with the live database.';
  static override description = 'Exits 0 only when the restored copy is intact and holds as many rows per table as the live database. A busy cell is retried --attempts times, since the replica trails it by about one second.';
  static override examples = ['<%= config.bin %> backup verify', '<%= config.bin %> backup verify --json --attempts 5'];
  static override flags = {
    replica: Flags.string({ description: 'replica to verify instead of LITESTREAM_REPLICA_URL (s3://bucket/path or an absolute path)' }),
    attempts: Flags.integer({ description: 'restores to try while the counts differ', default: 3, min: 1, max: 20 }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupVerify);
    const cli = LitestreamCli.open(this.loadConfig(flags, { litestreamReplicaUrl: flags.replica }, ['litestreamReplicaUrl']));
    try {
      const report = await verifyBackup(cli, { attempts: flags.attempts, pauseMs: 2000 });
      if (flags.json) this.printJson(report);
      else {
        this.log(`replica ${report.replica}: ${report.ok ? 'verified' : 'FAILED'} (${report.attempts} ${report.attempts === 1 ? 'restore' : 'restores'})`);
        if (report.integrity) this.log(`integrity of the restored copy: ${report.integrity}; schema version ${report.schemaVersion.backup ?? '-'} (live ${report.schemaVersion.live})`);
        for (const t of report.tables) this.log(`  ${t.table.padEnd(24)} live ${String(t.live ?? '-').padStart(8)}  backup ${String(t.backup ?? '-').padStart(8)}${t.live === t.backup ? '' : '  DIFFERS'}`);
      }
      if (!report.ok) {
        for (const problem of report.problems) process.stderr.write(`Error: ${problem}.\n`);
        process.exitCode = 1;
      }
    } finally {
      cli.close();
    }
  }
}
