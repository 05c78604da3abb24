import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BotctlCommand } from '../src/cli/base-command.js';
import { UserError } from '../src/errors.js';
import { createLogger } from '../src/observability/logger.js';
import { registerSecret } from '../src/observability/redact.js';
import { alertConfigProblem } from '../src/ops/alerts/telegram-notifier.js';
import { requireLitestream } from '../src/ops/backup/litestream-binary.js';
import { ensureLocalReplicaWritable, LITESTREAM_CONFIG_FILE, litestreamEnv, writeLitestreamConfig } from '../src/ops/backup/litestream-config.js';
import { litestreamChild, workerChild } from '../src/supervisor/cell-children.js';
import type { ChildSpec } from '../src/supervisor/child-spec.js';
import { alertOnce } from '../src/supervisor/give-up-alert.js';
import { runOptions } from '../src/supervisor/run-options.js';
import { createSdNotifier } from '../src/supervisor/sd-notify.js';
import { Supervisor } from '../src/supervisor/supervisor.js';

export default class Run extends BotctlCommand {
  static override summary = 'Run the cell under supervision: the worker and, with LITESTREAM_REPLICA_URL, Litestream (what systemd starts).';
  static override description = [
    'Restarts a child that exits or fails its health check (the worker\'s /healthz, Litestream\'s metrics), first within --restart-delay, then backing off to --restart-delay-max.',
    'More than --max-restarts restarts of one child within --restart-window sends one alert to BOTCTL_ONCALL_CHAT_ID and exits 1, so systemd takes over.',
    'SIGTERM or SIGINT drains: the worker stops intake and finishes running jobs within --drain-timeout, then Litestream syncs and stops; exit 0.',
    'Under systemd (Type=notify) it reports READY, WATCHDOG and STOPPING. Flags after -- go to the worker as they are.',
  ].join('\n');

  static override examples = [
    '<%= config.bin %> run',
    '<%= config.bin %> run --env-file /etc/botctl/botctl.env --drain-timeout 30s',
    '<%= config.bin %> run --max-restarts 10 --restart-window 10m -- --concurrency 64',
  ];

  static override strict = false;

  static override flags = {
    'http-host': Flags.string({ description: 'worker listen address (overrides BOTCTL_HTTP_HOST)' }),
    'http-port': Flags.string({ description: 'worker listen port (overrides BOTCTL_HTTP_PORT); also where /healthz is probed' }),
    'drain-timeout': Flags.string({ description: 'how long running jobs may finish after SIGTERM', default: '20s' }),
    'restart-delay': Flags.string({ description: 'wait before the first restart of a child', default: '1s' }),
    'restart-delay-max': Flags.string({ description: 'the wait doubles with each restart in a row, up to this', default: '30s' }),
    'max-restarts': Flags.integer({ description: 'restarts of one child allowed within --restart-window before giving up', default: 5, min: 1 }),
    'restart-window': Flags.string({ description: 'the window --max-restarts counts in', default: '5m' }),
    'stable-after': Flags.string({ description: 'a child that ran this long starts the backoff over', default: '1m' }),
    'health-interval': Flags.string({ description: 'time between health checks of a child', default: '2s' }),
    'unhealthy-after': Flags.string({ description: 'restart a child whose health check has failed for this long (a blocked event loop too)', default: '15s' }),
    'start-timeout': Flags.string({ description: 'a new child must pass its first health check within this (migrations run at start)', default: '2m' }),
    'litestream-metrics': Flags.string({ description: 'host:port of Litestream\'s metrics (its health check, read by botctl watch), or off', default: '127.0.0.1:9190' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Run);
    // Taken from the raw arguments: oclif's non-strict argv drops repeated values (`-- --a 30 --b 30`).
    const separator = this.argv.indexOf('--');
    const workerArgs = separator === -1 ? [] : this.argv.slice(separator + 1);
    if (separator === -1 && argv.length > 0) {
      throw new UserError(`unexpected argument ${String(argv[0])}`, 'put flags meant for the worker after --, e.g. botctl run -- --concurrency 64');
    }
    const options = runOptions(flags);
    const config = this.loadConfig(flags, { httpHost: flags['http-host'], httpPort: flags['http-port'] });
    for (const secret of [config.telegramBotToken, config.openaiApiKey, config.whatsappAppSecret, config.whatsappVerifyToken, config.secretKey?.toString('base64')]) registerSecret(secret);
    const logger = createLogger({ level: config.logLevel, base: { proc: 'supervisor' } });
    if (!existsSync(config.dataDir)) {
      throw new UserError(`the data folder ${config.dataDir} does not exist`, 'run botctl init (or set BOTCTL_DATA_DIR / --data-dir to the folder holding botctl.db)');
    }
    const alertProblem = alertConfigProblem(config);
    if (alertProblem) logger.warn(`a crash loop will reach nobody: ${alertProblem.toString()}`);

    const configArgs = [...(config.envFile ? ['--env-file', config.envFile] : []), ...(flags['data-dir'] ? ['--data-dir', flags['data-dir']] : [])];
    const children: ChildSpec[] = [];
    if (config.litestreamReplicaUrl) {
      const binary = requireLitestream();
      ensureLocalReplicaWritable(config.litestreamReplicaUrl);
      const configPath = writeLitestreamConfig(join(config.dataDir, LITESTREAM_CONFIG_FILE), config, options.litestreamMetrics);
      children.push(litestreamChild({ binary: binary.path, configPath, metricsAddr: options.litestreamMetrics, health: options.health, env: litestreamEnv(config) }));
    } else {
      logger.warn('LITESTREAM_REPLICA_URL is not set: the database is not backed up (set it in the env file, see botctl backup status)');
    }
    children.push(workerChild({
      config, configArgs, extraArgs: workerArgs, drainTimeoutMs: options.drainTimeoutMs, health: options.health,
      litestream: Boolean(config.litestreamReplicaUrl), env: process.env,
    }));

    const notifier = createSdNotifier({ onError: (message, error) => logger.warn({ error }, `sd_notify ${message} failed`) });
    const supervisor = new Supervisor(children, {
      logger, policy: options.policy, notifier,
      onGiveUp: (report) => alertOnce(report, { config, logger, host: hostname() }),
    });
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) void supervisor.stop(signal);
      else {
        logger.warn({ signal }, 'second signal while draining: killing the children now');
        supervisor.killAll();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    logger.info({ children: children.map((c) => c.name), systemd: notifier.enabled, watchdogMs: notifier.watchdogIntervalMs }, 'supervisor started');
    const code = await supervisor.run();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    logger.info({ code }, code === 0 ? 'supervisor stopped' : 'supervisor gave up');
    process.exitCode = code;
  }
}
