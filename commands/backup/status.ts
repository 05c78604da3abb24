import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { parseDuration } from '../../src/config/durations.js';
import { UserError } from '../../src/errors.js';
import { backupStatus } from '../../src/ops/backup/backup-status.js';
import { LitestreamCli } from '../../src/ops/backup/litestream-cli.js';

export default class BackupStatus extends BotctlCommand {
  static override summary = 'Show what the Litestream replica holds and how far it trails the database.';
  static override description = 'Reads the replica at LITESTREAM_REPLICA_URL with Litestream. Exits 1 when it holds no backup or trails the database by more than --max-lag.';
  static override examples = ['<%= config.bin %> backup status', '<%= config.bin %> backup status --json --max-lag 1m'];
  static override flags = {
    replica: Flags.string({ description: 'replica to read instead of LITESTREAM_REPLICA_URL (s3://bucket/path or an absolute path)' }),
    'max-lag': Flags.string({ description: 'a replica further behind the database than this is a problem', default: '5m' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupStatus);
    const maxLagMs = parseDuration(flags['max-lag']);
    if (maxLagMs === null) throw new UserError(`--max-lag ${JSON.stringify(flags['max-lag'])} is not a duration`, 'write it like 30s, 5m or 1h');
    const cli = LitestreamCli.open(this.loadConfig(flags, { litestreamReplicaUrl: flags.replica }, ['litestreamReplicaUrl']));
    try {
      const status = await backupStatus(cli, { maxLagMs });
      if (flags.json) this.printJson(status);
      else {
        const at = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
        this.log(`replica      ${status.replica}`);
        this.log(`litestream   ${status.litestream.version ?? 'version unknown'} (${status.litestream.path})`);
        this.log(`database     ${status.database.path}${status.database.exists ? `, last write ${at(status.database.updatedAt)}` : ' (not on this machine)'}`);
        this.log(`generations  ${status.generations.length}${status.generations.length ? `, newest ${status.generations.at(-1)!.generation} from ${at(status.generations.at(-1)!.start)}` : ''}`);
        this.log(`replicated   up to ${at(status.lastReplicatedAt)}`);
        this.log(`lag          ${status.lagMs === null ? 'unknown' : status.lagMs <= 0 ? 'none' : `${(status.lagMs / 1000).toFixed(1)} s`}`);
        for (const problem of status.problems) this.log(`problem      ${problem}`);
      }
      if (!status.healthy) process.exitCode = 1;
    } finally {
      cli.close();
    }
  }
}
