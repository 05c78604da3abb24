import type { BudgetNeed } from '../../jobs/budgets.js';

/**
 * WhatsApp Cloud API rate budgets (PROTOCOLS.md §1 "Errors"):
 * - a business number: 80 messages a second by default → one every 15 ms with a burst of 4: at most 70 in any
 *   second, room for sends that reach Graph bunched after an event-loop stall (Graph 130429 past the limit);
 * - a customer (the pair of number and user): about one message per 6 s, bursts borrowing from later quota → one
 *   every 6.5 s with a burst of 3 (Graph 131056 past it).
 * Keys use the tenant id: a tenant has one business number per channel account.
 */
export function whatsappBudget(tenantId: number, customerKey: string | null): BudgetNeed[] {
  const number: BudgetNeed = { key: `wa:number:${tenantId}`, scope: 'number', intervalMs: 15, burst: 4 };
  if (customerKey === null) return [number];
  return [number, { key: `wa:pair:${tenantId}:${customerKey}`, scope: 'pair', intervalMs: 6500, burst: 3 }];
}
