import { describe, expect, test } from 'vitest';
import { MemoryBudgetStore, RateBudgets, type BudgetNeed } from '../../../src/jobs/budgets.js';
import { telegramBudget } from '../../../src/desk/telegram/budgets.js';
import { whatsappBudget } from '../../../src/channels/whatsapp/budgets.js';

const need = (intervalMs: number, burst: number, key = 'd'): BudgetNeed => ({ key, scope: 's', intervalMs, burst });

/** Takes units at the given times (when free, else skips) and returns the times that got one. */
function takeAt(budgets: RateBudgets, needs: BudgetNeed[], times: number[]): number[] {
  return times.filter((t) => budgets.take(needs, t).ok);
}

/** The most takes in any window of `windowMs` ending at a take. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) best = Math.max(best, times.filter((t) => t > times[i]! - windowMs && t <= times[i]!).length);
  return best;
}

describe('rate budgets (GCRA)', () => {
  test.each([
    ['burst 1, one every 100 ms', 100, 1, [0, 0, 50, 100, 150, 200, 200], [0, 100, 200]],
    ['burst 3, one every 100 ms', 100, 3, [0, 0, 0, 0, 100, 150, 200, 300], [0, 0, 0, 100, 200, 300]],
  ])('%s', (_name, interval, burst, times, granted) => {
    const budgets = new RateBudgets(new MemoryBudgetStore());
    expect(takeAt(budgets, [need(interval, burst)], times)).toEqual(granted);
  });

  test('a spent budget says when it frees; later waiters queue behind earlier ones, and each keeps its place', () => {
    const budgets = new RateBudgets(new MemoryBudgetStore());
    const d = [need(1000, 1)];
    expect(budgets.take(d, 0, { id: 1 })).toEqual({ ok: true });
    expect(budgets.take(d, 10, { id: 2 })).toEqual({ ok: false, at: 1000, key: 'd' });
    expect(budgets.take(d, 20, { id: 3 })).toEqual({ ok: false, at: 2000, key: 'd' });
    // Job 3 claimed again early (a restart, a wake) is sent back to the same place, not behind itself.
    expect(budgets.take(d, 30, { id: 3 })).toEqual({ ok: false, at: 2000, key: 'd' });
    // A first job (the digest, an alert) does not queue behind the waiters: it comes back when the budget frees.
    expect(budgets.take(d, 40, { id: 4, first: true })).toEqual({ ok: false, at: 1000, key: 'd' });
    expect(budgets.take(d, 1000, { id: 4, first: true })).toEqual({ ok: true });
    expect(budgets.take(d, 1000, { id: 2 })).toMatchObject({ ok: false, at: 2000 });
  });

  test('a job needing two budgets takes both or neither', () => {
    const budgets = new RateBudgets(new MemoryBudgetStore());
    const chat = need(1000, 1, 'chat');
    const bot = need(10, 1, 'bot');
    expect(budgets.take([chat, bot], 0).ok).toBe(true);
    expect(budgets.take([chat, bot], 100)).toMatchObject({ ok: false, key: 'chat' });
    // The bot's unit was not taken by the refused job: another chat gets it.
    expect(budgets.take([need(1000, 1, 'other'), bot], 100).ok).toBe(true);
  });

  test('a block (429 retry_after) holds the budget until it ends, for every job', () => {
    const budgets = new RateBudgets(new MemoryBudgetStore());
    budgets.block('d', 5000, 0);
    expect(budgets.take([need(100, 5)], 10)).toMatchObject({ ok: false, at: 5000 });
    expect(budgets.take([need(100, 5)], 5000).ok).toBe(true);
  });

  test('what a restarted worker reads back from the store is what its predecessor spent', () => {
    const store = new MemoryBudgetStore();
    expect(new RateBudgets(store).take([need(3000, 1)], 0).ok).toBe(true);
    expect(new RateBudgets(store).take([need(3000, 1)], 100).ok).toBe(false);
  });

  test.each([
    ['a Telegram group: at most 20 in any minute', telegramBudget(-100)[0]!, 60_000, 20],
    ['the Telegram bot: at most 30 in any second', telegramBudget(5)[1]!, 1000, 30],
    ['a WhatsApp number: at most 80 in any second', whatsappBudget(1, null)[0]!, 1000, 80],
  ])('%s, sending as fast as the budget lets', (_name, budget, windowMs, max) => {
    const budgets = new RateBudgets(new MemoryBudgetStore());
    const times = Array.from({ length: 40_000 }, (_, i) => i * 5).filter((t) => t < 3 * windowMs);
    const granted = takeAt(budgets, [budget], times);
    expect(maxInWindow(granted, windowMs)).toBeLessThanOrEqual(max);
    expect(granted.length).toBeGreaterThan((max * 3) / 2); // and it is not needlessly slow
  });
});
