import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot } from 'grammy';

/**
 * The cell's Telegram bot: grammY pointed at TELEGRAM_API_ROOT, with a throttler inside Telegram's limits
 * (30 msg/s overall, 20/min per group, 1/s per chat) and auto-retry for 5xx and short 429s. The job runner's rate
 * budgets (src/desk/telegram/budgets.ts) pace desk jobs before they start, so the throttler is only the last guard;
 * a 429 asking for more than a few seconds surfaces at once, so the job gives its slot back and the runner moves
 * the chat's budget instead of the job waiting inside a slot.
 */
export function createTelegramBot(options: { token: string; apiRoot: string }): Bot {
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot, timeoutSeconds: 40 } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 3, rethrowInternalServerErrors: false, rethrowHttpErrors: false }));
  bot.api.config.use(apiThrottler({
    // The reservoir refills in fixed 1 s windows, so 30 at the end of one and 30 at the start of the next put up to
    // 40 sends (minTime 25 ms) in one sliding second: the benchmark counted 41. Spacing starts 40 ms apart holds any
    // second to 25, with room for sends that leave together after an event-loop stall.
    global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000, maxConcurrent: 30, minTime: 40 },
    group: { maxConcurrent: 1, minTime: 1000, reservoir: 20, reservoirRefreshAmount: 20, reservoirRefreshInterval: 60_000 },
    out: { maxConcurrent: 1, minTime: 1000 },
  }));
  return bot;
}
