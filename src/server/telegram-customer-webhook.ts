import { Hono } from 'hono';
import type { Update } from 'grammy/types';
import { customerWebhookSecret, sameSecret, type CustomerBotIntake } from '../channels/telegram/customer-bot-intake.js';
import type { Logger } from '../observability/logger.js';
import type { ChannelAccountStore, CustomerBotRow } from '../storage/channel-account-store.js';
import { readBoundedBody } from './read-bounded-body.js';
import { isTransientStorageError } from './storage-errors.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `POST /webhooks/telegram/<tenant>`: updates of the tenant's customer bot. The `X-Telegram-Bot-Api-Secret-Token`
 * must be the bot's secret (401 otherwise, nothing stored); the update is committed before the 200, and a storage
 * failure that can pass answers 500 so Telegram delivers it again (PROTOCOLS.md §3a).
 */
export function telegramCustomerWebhook(deps: { bots: Pick<ChannelAccountStore, 'customerBotOf'>; tokenOf: (bot: CustomerBotRow) => string; intake: CustomerBotIntake; logger: Logger }): Hono {
  const app = new Hono();
  app.post('/:tenant', async (c) => {
    const slug = c.req.param('tenant');
    const bot = deps.bots.customerBotOf(slug);
    if (!bot) return c.json({ error: `tenant ${slug.slice(0, 64)} has no customer bot: connect one with botctl tenant update ${slug.slice(0, 64)} --telegram-customer-bot-token …` }, 404);
    if (!sameSecret(c.req.header('x-telegram-bot-api-secret-token'), customerWebhookSecret(deps.tokenOf(bot)))) {
      deps.logger.warn({ tenant: bot.slug }, 'customer bot webhook with a wrong secret token: refused with 401; botctl worker sets the webhook again at start');
      return c.json({ error: 'invalid secret token' }, 401);
    }
    const raw = await readBoundedBody(c.req.raw, MAX_BODY_BYTES);
    if (raw === null) return c.json({ error: `payload too large: the limit is ${MAX_BODY_BYTES} bytes` }, 413, { connection: 'close' });
    let update: Update;
    try {
      update = JSON.parse(new TextDecoder().decode(raw)) as Update;
      if (typeof update?.update_id !== 'number') throw new Error('no update_id');
    } catch (err) {
      // Telegram would redeliver a 4xx for a day: acknowledge and log what was wrong.
      deps.logger.warn({ tenant: bot.slug, error: String(err) }, 'customer bot webhook body is not a Telegram update: acknowledged and dropped');
      return c.json({ ok: true });
    }
    try {
      await deps.intake.accept(bot, update);
    } catch (err) {
      deps.logger.error({ err, tenant: bot.slug }, isTransientStorageError(err) ? 'customer bot update could not be stored; answering 500 so Telegram delivers it again' : 'customer bot update could not be stored');
      return c.json({ error: 'could not store the update; it will be retried' }, 500);
    }
    return c.json({ ok: true });
  });
  return app;
}
