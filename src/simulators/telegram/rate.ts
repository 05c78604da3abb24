import { TelegramError } from './errors.js';

/** One message the bot sent (a successful send* call). */
export interface SendRecord {
  chatId: number;
  method: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Telegram's published limits: about 20 messages a minute per group, 30 a second overall, 1 a second per chat. */
export interface RateLimits {
  perGroupPerMinute?: number;
  overallPerSecond?: number;
  perChatPerSecond?: number;
}

/** A send that made its window exceed a limit: `count` sends in the window ending at `at`. */
export interface RateBreach {
  limit: keyof RateLimits;
  chatId?: number;
  at: number;
  count: number;
  max: number;
}

/**
 * Timestamps of every send, per chat and overall, and the check against Telegram's rate limits. With `enforce`
 * limits it also plays Telegram's flood control: a send that would break one is refused (`admit` throws 429 with
 * retry_after, the seconds until the window has room) and not recorded, as Telegram refuses it.
 */
export class SendLog {
  readonly records: SendRecord[] = [];
  /** Sends refused by the enforced limits. */
  refused = 0;

  constructor(private readonly enforce: RateLimits | null = null) {}

  /** Throws the 429 Telegram would answer when a send into `chatId` now would break an enforced limit. */
  admit(chatId: number): void {
    if (!this.enforce) return;
    const now = Date.now();
    const checks: Array<{ times: number[]; windowMs: number; max: number | undefined }> = [
      { times: this.timestamps(), windowMs: 1000, max: this.enforce.overallPerSecond },
      { times: chatId < 0 ? this.timestamps(chatId) : [], windowMs: 60_000, max: this.enforce.perGroupPerMinute },
      { times: this.timestamps(chatId), windowMs: 1000, max: this.enforce.perChatPerSecond },
    ];
    for (const { times, windowMs, max } of checks) {
      if (max === undefined) continue;
      const inWindow = times.filter((t) => t > now - windowMs).sort((a, b) => a - b);
      if (inWindow.length >= max) {
        this.refused++;
        const retryAfter = Math.max(1, Math.ceil((inWindow[inWindow.length - max]! + windowMs - now) / 1000));
        throw new TelegramError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
    }
  }

  record(chatId: number, method: string): void {
    this.records.push({ chatId, method, at: Date.now() });
  }

  /** Send times (epoch ms) to one chat, or to all chats. */
  timestamps(chatId?: number): number[] {
    return this.records.filter((r) => chatId === undefined || r.chatId === chatId).map((r) => r.at);
  }

  /** Every send that pushed a sliding window over a limit; limits left out are not checked. */
  breaches(limits: RateLimits = { perGroupPerMinute: 20, overallPerSecond: 30 }): RateBreach[] {
    const found: RateBreach[] = [];
    if (limits.overallPerSecond !== undefined) {
      found.push(...windowBreaches(this.timestamps(), 1000, limits.overallPerSecond).map((b) => ({ limit: 'overallPerSecond' as const, ...b })));
    }
    const chats = new Set(this.records.map((r) => r.chatId));
    for (const chatId of chats) {
      const times = this.timestamps(chatId);
      // Group chats have negative ids; the per-minute limit is Telegram's rule for groups.
      if (limits.perGroupPerMinute !== undefined && chatId < 0) {
        found.push(...windowBreaches(times, 60_000, limits.perGroupPerMinute).map((b) => ({ limit: 'perGroupPerMinute' as const, chatId, ...b })));
      }
      if (limits.perChatPerSecond !== undefined) {
        found.push(...windowBreaches(times, 1000, limits.perChatPerSecond).map((b) => ({ limit: 'perChatPerSecond' as const, chatId, ...b })));
      }
    }
    return found.sort((a, b) => a.at - b.at);
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** Sends whose window (windowMs ending at the send, inclusive) holds more than `max` sends. */
function windowBreaches(times: number[], windowMs: number, max: number): Array<{ at: number; count: number; max: number }> {
  const sorted = [...times].sort((a, b) => a - b);
  const breaches: Array<{ at: number; count: number; max: number }> = [];
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    const count = end - start + 1;
    if (count > max) breaches.push({ at: sorted[end]!, count, max });
  }
  return breaches;
}
