import { TelegramError } from './errors.js';

export interface FailNextOptions {
  /** Bot API method (any case); without it, the next calls of any method except getUpdates. */
  method?: string;
  /** How many calls fail; default 1. */
  count?: number;
  /** Instead of a count: every matching call fails for this long from now (an outage, a minute of 429s). */
  forMs?: number;
  errorCode: number;
  description: string;
  /** Seconds, sent as `parameters.retry_after` (Telegram sends it with 429). */
  retryAfter?: number;
  /** Sent as `parameters.migrate_to_chat_id`. */
  migrateToChatId?: number;
}

export interface HangNextOptions {
  method?: string;
  count?: number;
}

type Fault = { kind: 'fail'; error: TelegramError } | { kind: 'hang' };

/**
 * Scripted failures, consumed in the order they were added. A rule without a method skips getUpdates:
 * long polling calls it continuously, so it would otherwise take the failure at a random moment.
 */
export class FaultPlan {
  private rules: Array<{ method?: string; remaining: number; until?: number; fault: Fault }> = [];

  failNext(options: FailNextOptions): void {
    const parameters = {
      ...(options.retryAfter !== undefined ? { retry_after: options.retryAfter } : {}),
      ...(options.migrateToChatId !== undefined ? { migrate_to_chat_id: options.migrateToChatId } : {}),
    };
    const error = new TelegramError(options.errorCode, options.description, Object.keys(parameters).length > 0 ? parameters : undefined);
    this.add(options.method, options.count, { kind: 'fail', error }, options.forMs);
  }

  hangNext(options: HangNextOptions = {}): void {
    this.add(options.method, options.count, { kind: 'hang' });
  }

  /** The fault for this call, if a rule matches; uses up one of the rule's count. */
  take(method: string): Fault | undefined {
    const name = method.toLowerCase();
    const now = Date.now();
    this.rules = this.rules.filter((rule) => rule.until === undefined || rule.until > now);
    const index = this.rules.findIndex((rule) => (rule.method === undefined ? name !== 'getupdates' : rule.method === name));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    if (rule.until === undefined && --rule.remaining <= 0) this.rules.splice(index, 1);
    return rule.fault;
  }

  clear(): void {
    this.rules = [];
  }

  private add(method: string | undefined, count = 1, fault: Fault, forMs?: number): void {
    this.rules.push({ ...(method !== undefined ? { method: method.toLowerCase() } : {}), remaining: count, ...(forMs !== undefined ? { until: Date.now() + forMs } : {}), fault });
  }
}
