import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { parseDuration } from '../src/config/durations.js';
import { UserError } from '../src/errors.js';
import { formatLogLine } from '../src/ops/logs/format-log-line.js';
import { keep, LEVELS, parseLine, type LevelName, type LogFilter } from '../src/ops/logs/log-filter.js';
import { chooseSource, readLines } from '../src/ops/logs/log-source.js';
import { TenantStore } from '../src/storage/tenant-store.js';

export default class Logs extends BotctlCommand {
  static override summary = 'Filter the worker\'s log lines by tenant, trace, level and time; pretty-printed.';
  static override description = 'Reads journald (journalctl -u botctl) when it exists, else --file or stdin. '
    + 'Lines that are not JSON (stack traces, systemd) are shown only when no filter is set. --json prints the matching lines unchanged.';
  static override examples = [
    '<%= config.bin %> logs --tenant dental-almaty --since 1h --level warn',
    '<%= config.bin %> logs --trace 3f2a9c1d-0b7e-4d8c-9a51-2c4e6f8a0b1d',
    '<%= config.bin %> logs --file worker.log --level error --json',
  ];
  static override flags = {
    tenant: Flags.string({ description: 'only lines of this tenant (slug)' }),
    trace: Flags.string({ description: 'only lines of this trace id (from botctl trace), or its first 8+ characters' }),
    since: Flags.string({ description: 'only lines newer than this: a duration back (30m, 2h, 1d) or a time (2025-06-01T09:00:00Z)' }),
    level: Flags.string({ description: 'lowest level shown', options: Object.keys(LEVELS) }),
    file: Flags.string({ description: 'read this file of worker lines instead of journald; - for stdin' }),
    unit: Flags.string({ description: 'systemd unit whose journal is read', default: 'botctl' }),
    json: Flags.boolean({ description: 'print the matching lines as they are (JSON)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Logs);
    // `botctl logs | head` or quitting `less` closes stdout: that ends the reading, it is not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
    const since = flags.since === undefined ? undefined : parseSince(flags.since);
    const source = chooseSource({ file: flags.file, unit: flags.unit, ...(since !== undefined ? { since } : {}) });
    const slugs = this.tenantSlugs(flags);
    const filter: LogFilter = {
      ...(flags.tenant ? { tenantSlug: flags.tenant, tenantId: [...slugs].find(([, slug]) => slug === flags.tenant)?.[0] ?? null } : {}),
      ...(flags.trace ? { trace: flags.trace } : {}),
      ...(flags.level ? { minLevel: flags.level as LevelName } : {}),
      ...(since !== undefined ? { since, sinceAppliedBySource: source.kind === 'journal' } : {}),
    };

    let read = 0;
    let shown = 0;
    for await (const line of readLines(source)) {
      read++;
      const record = parseLine(line);
      if (!keep(record, filter)) continue;
      shown++;
      this.log(flags.json || !record ? line : formatLogLine(record, slugs));
    }
    if (shown === 0) {
      const from = source.kind === 'file' ? source.path : source.kind === 'journal' ? `journalctl -u ${source.unit}` : 'stdin';
      process.stderr.write(`no line matched among ${read} read from ${from}\n`);
    }
  }

  /**
   * Tenant ids to slugs, from the cell when it can be opened: job lines name the tenant by id only. Without a cell
   * (reading a copied log elsewhere) --tenant still matches the lines that carry the slug.
   */
  private tenantSlugs(flags: { 'env-file'?: string | undefined; 'data-dir'?: string | undefined; tenant?: string | undefined }): Map<number, string> {
    try {
      const cell = this.openCell(this.loadConfig(flags));
      return new Map(new TenantStore(cell.db).list().map((t) => [t.id, t.slug]));
    } catch (err) {
      if (flags.tenant) process.stderr.write(`note: the cell could not be opened (${(err as Error).message}); matching lines by tenant slug only\n`);
      return new Map();
    }
  }
}

function parseSince(text: string): number {
  const back = parseDuration(text);
  if (back !== null) return Date.now() - back;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UserError(`--since "${text}" is neither a duration nor a time`, 'write it like 30m, 2h, 1d, or 2025-06-01T09:00:00Z');
  return at;
}
