import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { collectStatus } from '../src/ops/status/collect-status.js';
import { statusLines } from '../src/ops/status/render-status.js';
import { StateFile } from '../src/ops/watch/state-file.js';
import { openDatabase } from '../src/storage/open-db.js';

export default class Status extends BotctlCommand {
  static override summary = 'One screen: worker, watch, backup, disk, queue, open handovers and the tenants heard from last.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --top 20 --json'];
  static override flags = {
    json: Flags.boolean({ description: 'print JSON' }),
    top: Flags.integer({ description: 'how many tenants to list by last customer message', default: 10, min: 0, max: 1000 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const config = this.loadConfig(flags, {}, []);
    const db = openDatabase(config.dataDir, { readonly: true });
    try {
      const watchState = new StateFile(join(config.dataDir, 'watch-state.json')).peek();
      const report = await collectStatus({ config, db, watchState, top: flags.top, timeoutMs: 3000 });
      if (flags.json) return this.printJson(report);
      for (const line of statusLines(report)) this.log(line);
    } finally {
      db.close();
    }
  }
}
