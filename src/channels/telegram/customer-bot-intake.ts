import { createHash, timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Intake } from '../../conversation/intake.js';
import type { Logger } from '../../observability/logger.js';
import type { ChannelAccountStore, CustomerBotRow } from '../../storage/channel-account-store.js';
import { handleOf, parseCustomerUpdate } from './parse-update.js';

/** The secret_token a tenant's bot webhook carries: derived from its token, so nothing more is stored (like the desk's). */
export function customerWebhookSecret(token: string): string {
  return createHash('sha256').update(`botctl-telegram-customer-webhook:${token}`).digest('base64url').slice(0, 48);
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Stores one update of a tenant's customer bot through the common intake (message row and its job in one durable
 * transaction), whether it came by webhook or by long polling. Updates that are not a private customer's message
 * are acknowledged and dropped. Resolves once the update is committed: only then may it be confirmed to Telegram.
 */
export class CustomerBotIntake {
  constructor(private readonly deps: { intake: Intake; accounts: Pick<ChannelAccountStore, 'setContactHandle'>; logger: Logger; clock: () => number }) {}

  async accept(bot: CustomerBotRow, update: Update): Promise<'stored' | 'ignored'> {
    const message = parseCustomerUpdate(update);
    if (!message) {
      this.deps.logger.debug({ tenant: bot.slug, updateId: update.update_id }, 'customer bot update that is not a private message: ignored');
      return 'ignored';
    }
    const account = { tenantId: bot.tenantId, tenantSlug: bot.slug, tenantStatus: bot.tenantStatus, channelAccountId: bot.channelAccountId, appSecret: null };
    await this.deps.intake.accept([{ account, batch: { accountExternalId: bot.botId, messages: [message], statuses: [], errors: [], rejected: [] } }]);
    this.deps.accounts.setContactHandle(bot.channelAccountId, message.from, handleOf(update), this.deps.clock());
    return 'stored';
  }
}
