import { describe, expect, test } from 'vitest';
import { deliveryBudgetOf, instagramBudget, telegramCustomerBudget } from '../../../src/channels/outbound-budget.js';
import type { BudgetNeed } from '../../../src/jobs/budgets.js';

const HOUR = 3_600_000;
/** The most units a GCRA budget lets through in any window of `windowMs` (src/jobs/budgets.ts). */
const most = (n: BudgetNeed, windowMs: number) => n.burst + Math.floor(windowMs / n.intervalMs);

describe('delivery budgets by channel', () => {
  const lookups: number[] = [];
  const channels: Record<number, 'whatsapp' | 'instagram' | 'telegram'> = { 1: 'whatsapp', 2: 'instagram', 3: 'telegram' };
  const budget = deliveryBudgetOf((id) => {
    lookups.push(id);
    return channels[id] ?? null;
  });
  const job = (payload: Record<string, unknown>, tenantId: number | null = 7) => ({ tenantId, concurrencyKey: 'contact:3', payload });

  test.each([
    [{ channelAccountId: 1 }, ['wa:number:7', 'wa:pair:7:contact:3']],
    [{ channelAccountId: 2 }, ['ig:pair:2:contact:3']],
    [{ channelAccountId: 3 }, ['tgc:bot:3', 'tgc:chat:3:contact:3']],
    // Queued before migration 0017 put the account in the payload: a WhatsApp send.
    [{ messageId: 5 }, ['wa:number:7', 'wa:pair:7:contact:3']],
  ])('payload %j takes %j', (payload, keys) => {
    expect(budget(job(payload)).map((n) => n.key)).toEqual(keys);
  });

  test('an account is looked up once; a job without a tenant takes none', () => {
    budget(job({ channelAccountId: 2 }));
    budget(job({ channelAccountId: 2 }));
    expect(lookups.filter((id) => id === 2)).toEqual([2]);
    expect(budget(job({ channelAccountId: 1 }, null))).toEqual([]);
  });

  test("Instagram stays under about 200 an hour per account and customer", () => {
    const [pair] = instagramBudget(2, 'contact:3');
    expect(most(pair!, HOUR)).toBeLessThanOrEqual(200);
    expect(most(pair!, HOUR)).toBeGreaterThan(150);
  });

  test('a customer bot sends at most 1 a second per chat and 30 a second in all', () => {
    const [bot, chat] = telegramCustomerBudget(3, 'contact:3');
    expect(most(chat!, 1000)).toBeLessThanOrEqual(2); // the first unit plus one a second
    expect(most(chat!, 10_000)).toBeLessThanOrEqual(11);
    expect(most(bot!, 1000)).toBeLessThanOrEqual(30);
  });
});
