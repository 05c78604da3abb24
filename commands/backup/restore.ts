import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { LitestreamCli } from '../../src/ops/backup/litestream-cli.js';
import { restoreBackup } from '../../src/ops/backup/restore.js';

export default class BackupRestore extends BotctlCommand {
  static override summary = 'Restore the Litestream replica into a new database file, and check it.';
  static override description = 'Never overwrites a file: without --output it restores to the cell\'s own path only when no database is there (after a disk loss). The restored file gets an integrity check and its row counts are printed.';
  static override examples = [
    '<%= config.bin %> backup restore --output /tmp/botctl-restored.db',
    '<%= config.bin %> backup restore --output /tmp/before-the-mistake.db --timestamp 2026-01-31T18:00:00Z',
    'sudo systemctl stop botctl && sudo mv /var/lib/botctl/botctl.db* /root/ && <%= config.bin %> backup restore',
  ];

  static override flags = {
    output: Flags.string({ char: 'o', description: 'file to write; must not exist (default: the cell\'s database path, when it is missing)' }),
    timestamp: Flags.string({ description: 'restore the state at this moment (RFC 3339) instead of the latest' }),
    replica: Flags.string({ description: 'replica to restore from instead of LITESTREAM_REPLICA_URL (s3://bucket/path or an absolute path)' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupRestore);
    const cli = LitestreamCli.open(this.loadConfig(flags, { litestreamReplicaUrl: flags.replica }, ['litestreamReplicaUrl']));
    try {
      const result = await restoreBackup(cli, { output: flags.output, timestamp: flags.timestamp });
      if (flags.json) return this.printJson(result);
      this.log(`restored ${cli.replicaUrl} into ${result.output}`);
      this.log(`integrity ${result.integrity}, schema version ${result.schemaVersion}`);
      for (const [table, count] of Object.entries(result.counts)) this.log(`  ${table.padEnd(24)} ${count}`);
      if (result.integrity !== 'ok') {
        this.log('the restored file is damaged: try an earlier --timestamp');
        process.exitCode = 1;
      }
    } finally {
      cli.close();
    }
  }
}
