import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { UserError } from '../../src/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildReport, reportLines } from '../../src/ops/watch/report.js';
import { watchSetup } from '../../src/ops/watch/setup.js';
import { StateFile } from '../../src/ops/watch/state-file.js';
import { Watcher } from '../../src/ops/watch/watcher.js';
import { evaluateRules } from '../../src/ops/watch/rules.js';
import { telegramSink, type AlertSink } from '../../src/ops/watch/alert-sink.js';

export default class Watch extends BotctlCommand {
  static override summary = 'Check the cell every interval and alert the on-call Telegram chat when something breaks, and when it clears.';
  static override description = `Rules: worker down or not ready, jobs waiting too long, dead jobs, WhatsApp reply failures, LLM errors, broken tenant WhatsApp tokens, unreachable managers chats, requests nobody took, tenants silent for much longer than usual, disk over 90%, Litestream not syncing.
An alert fires after its condition held for a while, repeats every --repeat while it holds, and sends one "resolved" message after it stayed clear for --clear-for; many alerts at once become one message. State is kept in --state-file across restarts.
--once evaluates the rules on the current state of the cell, prints them and exits non-zero when any holds (it sends nothing unless --notify).`;
  static override examples = [
    '<%= config.bin %> watch',
    '<%= config.bin %> watch --once --json',
    '<%= config.bin %> watch --url https://cell2.example.com --state-file /var/lib/botctl/watch-cell2.json',
  ];
  static override flags = {
    once: Flags.boolean({ description: 'evaluate once, print, exit 1 when any rule fires' }),
    json: Flags.boolean({ description: 'with --once: print JSON' }),
    notify: Flags.boolean({ description: 'with --once: also advance the alert state and send what is due (for cron)', dependsOn: ['once'] }),
    url: Flags.string({ description: 'watch another cell by its base URL (/healthz, /readyz) instead of this host\'s worker and database' }),
    interval: Flags.string({ description: 'time between checks', default: '30s' }),
    timeout: Flags.string({ description: 'how long one HTTP probe may take', default: '5s' }),
    'backlog-limit': Flags.string({ description: 'alert when the oldest due job waited longer than this', default: '5m' }),
    'replica-max-age': Flags.string({ description: 'alert when the Litestream replica did not change for this long', default: '15m' }),
    repeat: Flags.string({ description: 'remind on-call this often while an alert holds', default: '3h' }),
    'clear-for': Flags.string({ description: 'an alert resolves after its condition stayed clear this long', default: '5m' }),
    cooldown: Flags.string({ description: 'after "resolved", stay quiet this long if the same alert comes back', default: '30m' }),
    'min-gap': Flags.string({ description: 'least time between two alert messages (changes in between are grouped)', default: '2m' }),
    'litestream-metrics-url': Flags.string({ description: 'Litestream\'s /metrics for replicas that are not local folders (default: from addr in litestream.yml in the data folder)' }),
    'state-file': Flags.string({ description: 'where alert state is kept (default: watch-state.json in the data folder)' }),
    name: Flags.string({ description: 'the cell\'s name in alert messages (default: host of BOTCTL_PUBLIC_URL, else the host name)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Watch);
    const config = this.loadConfig(flags, {}, []);
    const setup = watchSetup(config, flags);
    const logger = createLogger({ level: config.logLevel, base: { proc: 'watch' } });
    try {
      if (flags.once && !flags.notify) {
        const facts = await setup.collector.collect();
        return this.print(buildReport(facts, evaluateRules(facts, setup.limits)), flags.json);
      }
      const sink: AlertSink = telegramSink(config);
      const store = new StateFile(setup.stateFile);
      let watcher: Watcher;
      try {
        watcher = new Watcher({
          collect: () => setup.collector.collect(), sink, store, limits: setup.limits, policy: setup.policy,
          cell: setup.cell, clock: Date.now, log: (level, message, fields) => logger[level](fields ?? {}, message),
        });
        // Fail now, not after the first alert: without its state a restarted watch would announce everything again.
        store.save(watcher.state);
      } catch (err) {
        throw new UserError(`the alert state file ${setup.stateFile} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'give a writable path with --state-file, or run watch as the botctl user');
      }
      if (flags.once) {
        const result = await watcher.tick();
        this.print(buildReport(result.facts, result.evaluations, watcher.state), flags.json);
        if (result.sendError) {
          process.stderr.write(`Error: the alert was not delivered: ${result.sendError}; the next run tries again.\n`);
          process.exitCode = 1;
        }
        return;
      }
      logger.info({ target: setup.remote ? setup.baseUrl : `local ${config.dataDir}`, intervalMs: setup.intervalMs, stateFile: setup.stateFile }, 'watch started');
      const stop = new AbortController();
      process.once('SIGTERM', () => stop.abort());
      process.once('SIGINT', () => stop.abort());
      await watcher.run(setup.intervalMs, stop.signal);
      logger.info('watch stopped');
    } finally {
      setup.collector.close();
    }
  }

  private print(report: ReturnType<typeof buildReport>, json: boolean): void {
    if (json) this.printJson(report);
    else for (const line of reportLines(report)) this.log(line);
    if (report.firing > 0) process.exitCode = 1;
  }
}
