import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import type { Config } from '../src/config/config.js';
import { parseDuration } from '../src/config/durations.js';
import { UserError } from '../src/errors.js';
import { registerSecret } from '../src/observability/redact.js';
import { doctorLines, runDoctor } from '../src/ops/doctor/run-doctor.js';
import { openDatabase, type Db } from '../src/storage/open-db.js';

export default class Doctor extends BotctlCommand {
  static override summary = 'Check everything the cell needs, printing ✓ or ✗ with the fix for each; exits 1 when any check fails.';
  static override description = 'Configuration, data folder permissions, free disk, database integrity, WAL, migrations, secret key, Litestream, the worker and its webhook route, the LLM key and model, the Telegram bot and its rights in the on-call and every managers chat, and every tenant\'s WhatsApp token. Remote checks per tenant run a few at a time, each with a timeout.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --concurrency 32 --timeout 5s'];
  static override flags = {
    json: Flags.boolean({ description: 'print JSON' }),
    concurrency: Flags.integer({ description: 'per-tenant remote checks in flight at once', default: 16, min: 1, max: 256 }),
    timeout: Flags.string({ description: 'how long each remote call may take', default: '10s' }),
    'litestream-config': Flags.string({ description: 'litestream.yml to check (default: /etc/botctl/litestream.yml, else litestream.yml in the data folder)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const timeoutMs = parseDuration(flags.timeout);
    if (timeoutMs === null) throw new UserError(`--timeout "${flags.timeout}" is not a duration`, 'write it like 5s or 1m');
    let config: Config | null = null;
    let configError: UserError | null = null;
    try {
      config = this.loadConfig(flags, {}, ['secretKey']);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      configError = err;
    }
    for (const secret of [config?.openaiApiKey, config?.telegramBotToken, config?.whatsappVerifyToken, config?.whatsappAppSecret]) registerSecret(secret);
    let db: Db | null = null;
    let dbError: string | null = null;
    if (config) {
      try {
        // Read-only: doctor may be run by another user than the worker's and must create no files in the data folder.
        db = openDatabase(config.dataDir, { readonly: true });
      } catch (err) {
        dbError = err instanceof UserError ? err.message : (err as Error).message;
      }
    }
    try {
      const report = await runDoctor({ config, configError, db, timeoutMs, concurrency: flags.concurrency, litestreamConfig: flags['litestream-config'] ?? null, clock: Date.now }, dbError);
      if (flags.json) this.printJson(report);
      else for (const line of doctorLines(report)) this.log(line);
      if (!report.ok) process.exitCode = 1;
    } finally {
      db?.close();
    }
  }
}
