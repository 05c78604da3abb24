import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/durations.js';
import type { Logger } from '../observability/logger.js';
import { TelegramNotifier, type Alert } from '../ops/alerts/telegram-notifier.js';
import { GIVE_UP_FILE, isNews, readGiveUp, writeGiveUp } from './give-up-memory.js';
import type { GiveUpReport } from './supervisor.js';

/** The on-call message when `botctl run` stops restarting a child: what died, how often, its last words, the fix. */
export function giveUpAlert(report: GiveUpReport, host: string): Alert {
  return {
    title: `botctl on ${host}: the ${report.child} keeps failing; botctl run gave up`,
    lines: [
      `It ${report.lastFailure} after ${report.restarts} restarts within ${formatDuration(report.windowMs)}. botctl run exited non-zero, so systemd restarts the cell (and stops trying after its own limit).`,
      ...(report.lastOutput.length > 0 ? ['Last output:', ...report.lastOutput] : []),
    ],
    fix: report.child === 'litestream'
      ? 'read journalctl -u botctl -n 100 for the litestream lines, check LITESTREAM_REPLICA_URL and its credentials, then botctl backup status'
      : 'read the last output above and journalctl -u botctl -n 100, fix what it names, then systemctl restart botctl',
  };
}

/**
 * Tells the on-call chat that `botctl run` gave up — unless it was told about the same failure within the hour
 * (systemd restarting the unit into the same crash loop), which is only logged. Throws when the alert cannot be
 * sent (not configured, Telegram refusing): the supervisor logs that and exits 1 all the same.
 */
export async function alertOnce(report: GiveUpReport, deps: { config: Pick<Config, 'dataDir' | 'telegramBotToken' | 'telegramApiRoot' | 'oncallChatId'>; logger: Logger; host: string; now?: number }): Promise<void> {
  const memory = join(deps.config.dataDir, GIVE_UP_FILE);
  const previous = readGiveUp(memory);
  const now = deps.now ?? Date.now();
  if (previous && !isNews(previous, report.child, report.lastFailure, now)) {
    writeGiveUp(memory, { ...previous, count: previous.count + 1 });
    deps.logger.warn({ alertedAt: new Date(previous.alertedAt).toISOString(), times: previous.count + 1 }, 'the on-call chat was already told about this failure; not again within the hour');
    return;
  }
  const sent = await TelegramNotifier.fromConfig(deps.config).send(giveUpAlert(report, deps.host));
  writeGiveUp(memory, { child: report.child, failure: report.lastFailure, alertedAt: now, count: 1 });
  deps.logger.info({ chat: deps.config.oncallChatId, messageId: sent.messageId }, 'give-up alert sent to the on-call chat');
}
