import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { applyMigrations, assertNotNewer, migrationStatus } from '../src/storage/migrate.js';
import { openDatabase } from '../src/storage/open-db.js';

export default class Migrate extends BotctlCommand {
  static override summary = 'Apply pending database migrations, or show which are applied and pending.';
  static override examples = ['<%= config.bin %> migrate', '<%= config.bin %> migrate --status', '<%= config.bin %> migrate --status --json'];
  static override flags = {
    status: Flags.boolean({ description: 'show the schema version and pending migrations; change nothing' }),
    json: Flags.boolean({ description: 'print JSON (with --status)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Migrate);
    const config = this.loadConfig(flags, {}, []);
    const db = openDatabase(config.dataDir, { readonly: flags.status });
    try {
      if (flags.status) {
        const status = migrationStatus(db);
        if (flags.json) {
          return this.printJson({
            current: status.current, latest: status.latest, newerThanKnown: status.current > status.latest, applied: status.applied,
            pending: status.pending.map(({ version, name }) => ({ version, name })), changed: status.changed.map((m) => m.version),
          });
        }
        this.log(`schema version ${status.current} of ${status.latest}`);
        for (const m of status.applied) this.log(`  ✓ ${String(m.version).padStart(4, '0')} ${m.name}  applied ${new Date(m.appliedAt).toISOString()}`);
        for (const m of status.pending) this.log(`  · ${String(m.version).padStart(4, '0')} ${m.name}  pending`);
        for (const m of status.changed) this.log(`  ! ${String(m.version).padStart(4, '0')} ${m.name} changed after it was applied; report this`);
        assertNotNewer(status);
        return;
      }
      const ran = applyMigrations(db);
      if (ran.length === 0) this.log(`schema is current (version ${migrationStatus(db).current})`);
      for (const m of ran) this.log(`applied ${String(m.version).padStart(4, '0')} ${m.name}`);
    } finally {
      db.close();
    }
  }
}
