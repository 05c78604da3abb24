import type { BudgetNeed } from '../jobs/budgets.js';
import type { ChannelName } from './deliver-message.js';
import { whatsappBudget } from './whatsapp/budgets.js';

/**
 * Instagram messaging (PROTOCOLS.md §3): about 200 calls an hour per pair of business account and customer
 * (unconfirmed figure; 429 / code 613 past it) → one every 18.5 s with a burst of 5: at most 199 in any hour.
 */
export function instagramBudget(channelAccountId: number, customerKey: string | null): BudgetNeed[] {
  if (customerKey === null) return [];
  return [{ key: `ig:pair:${channelAccountId}:${customerKey}`, scope: 'pair', intervalMs: 18_500, burst: 5 }];
}

/**
 * Profile lookups of an Instagram account's customers (src/channels/instagram/profile-lookup.ts): the same figure of
 * about 200 calls an hour, taken per account (the token's calls) and apart from the pairs' delivery budgets, so a
 * lookup never spends or blocks what a reply to that customer needs → one every 18.5 s with a burst of 5.
 */
export function instagramProfileBudget(channelAccountId: number): BudgetNeed[] {
  return [{ key: `ig:profile:${channelAccountId}`, scope: 'profile', intervalMs: 18_500, burst: 5 }];
}

/** The budget function of the profile lookup row: the account in the job's payload (none: the job has nothing to call). */
export function instagramProfileBudgetOf(job: { payload: Record<string, unknown> }): BudgetNeed[] {
  const accountId = Number(job.payload.channelAccountId);
  return Number.isInteger(accountId) && accountId > 0 ? instagramProfileBudget(accountId) : [];
}

/**
 * A tenant's customer-facing Telegram bot (PROTOCOLS.md §2, §3a): about 1 message a second per private chat and
 * 30 a second per bot → a chat gets one a second (no burst); the bot one every 35 ms with a burst of 1: at most
 * 29 in any second.
 */
export function telegramCustomerBudget(channelAccountId: number, customerKey: string | null): BudgetNeed[] {
  const bot: BudgetNeed = { key: `tgc:bot:${channelAccountId}`, scope: 'bot', intervalMs: 35, burst: 1 };
  if (customerKey === null) return [bot];
  return [bot, { key: `tgc:chat:${channelAccountId}:${customerKey}`, scope: 'chat', intervalMs: 1000, burst: 1 }];
}

/** The budgets a delivery on `channel` takes (WhatsApp keys stay by tenant: one number per tenant). */
export function deliveryBudget(channel: ChannelName, ids: { tenantId: number; channelAccountId: number }, customerKey: string | null): BudgetNeed[] {
  if (channel === 'instagram') return instagramBudget(ids.channelAccountId, customerKey);
  if (channel === 'telegram') return telegramCustomerBudget(ids.channelAccountId, customerKey);
  return whatsappBudget(ids.tenantId, customerKey);
}

/**
 * The budget function of the `deliver_message` row: the channel of the job's account (looked up once per account:
 * an account's channel never changes). A job without an account in its payload was queued as a WhatsApp send
 * before migration 0017, which fills it in; it is treated as WhatsApp.
 */
export function deliveryBudgetOf(channelOf: (channelAccountId: number) => ChannelName | null) {
  const known = new Map<number, ChannelName>();
  return (job: { tenantId: number | null; concurrencyKey: string | null; payload: Record<string, unknown> }): BudgetNeed[] => {
    if (job.tenantId === null) return [];
    const accountId = Number(job.payload.channelAccountId);
    if (!Number.isInteger(accountId) || accountId <= 0) return whatsappBudget(job.tenantId, job.concurrencyKey);
    let channel = known.get(accountId);
    if (!channel) {
      channel = channelOf(accountId) ?? 'whatsapp';
      known.set(accountId, channel);
    }
    return deliveryBudget(channel, { tenantId: job.tenantId, channelAccountId: accountId }, job.concurrencyKey);
  };
}
