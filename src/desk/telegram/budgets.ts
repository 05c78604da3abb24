import type { BudgetNeed } from '../../jobs/budgets.js';

/**
 * The desk bot's rate budgets, sized inside Telegram's limits (PROTOCOLS.md §2) with room for timing jitter between
 * taking a unit and the message reaching Telegram:
 * - a group: 20 messages a minute → one every 3.2 s, no burst: at most 19 in any minute;
 * - a private chat: about 1 a second → one every 1.1 s;
 * - the bot: about 30 a second → one every 40 ms, no burst: at most 26 in any second, so sends that reach Telegram
 *   bunched after an event-loop stall stay under 30.
 */
export const GROUP_INTERVAL_MS = 3200;
export const BOT_BUDGET: BudgetNeed = { key: 'tg:bot', scope: 'bot', intervalMs: 40, burst: 1 };

/** Groups (and supergroups) have negative ids in the Bot API. */
export function isGroupChat(chatId: number): boolean {
  return chatId < 0;
}

/** What one message into `chatId` takes: the chat's budget first (a 429 there blocks it), then the bot's. */
export function telegramBudget(chatId: number): BudgetNeed[] {
  const chat: BudgetNeed = isGroupChat(chatId)
    ? { key: `tg:group:${chatId}`, scope: 'group', intervalMs: GROUP_INTERVAL_MS, burst: 1 }
    : { key: `tg:chat:${chatId}`, scope: 'chat', intervalMs: 1100, burst: 1 };
  return [chat, BOT_BUDGET];
}

/** Messages a group can take in a minute by its budget. */
export const GROUP_MESSAGES_PER_MINUTE = Math.floor(60_000 / GROUP_INTERVAL_MS);
