import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Transformer } from 'grammy';

/**
 * A job's abort signal cancels its calls while they wait (in the throttler's queue, between auto-retry's 429
 * waits); once a request is about to leave, it is sent without the signal and its answer is awaited, so the job can
 * record what Telegram did (a posted card) instead of cancelling a request Telegram may already have carried out.
 * That leaves the one-round-trip window to a crash of the process (docs/decisions/0023).
 */
const sendOnceStarted: Transformer = async (prev, method, payload, signal) => {
  // A long poll is only a read: stopping the poller must end it at once.
  if (method === 'getUpdates') return prev(method, payload, signal);
  if (signal?.aborted) throw new Error(`${method} cancelled before it was sent: its job was abandoned`);
  return prev(method, payload, undefined);
};

/**
 * The cell's Telegram bot: grammY pointed at TELEGRAM_API_ROOT, with a throttler inside Telegram's limits
 * (30 msg/s overall, 20/min per group, 1/s per chat) and auto-retry for 5xx and short 429s. The job runner's rate
 * budgets (src/desk/telegram/budgets.ts) pace desk jobs before they start, so the throttler is only the last guard;
 * a 429 asking for more than a few seconds surfaces at once, so the job gives its slot back and the runner moves
 * the chat's budget instead of the job waiting inside a slot.
 */
export function createTelegramBot(options: { token: string; apiRoot: string }): Bot {
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot, timeoutSeconds: 40 } });
  // Innermost (installed first): a cancelled call that has not left yet never leaves; one that leaves completes.
  bot.api.config.use(sendOnceStarted);
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
