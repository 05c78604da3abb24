import { randomBytes } from 'node:crypto';
import type { Cell } from '../cell.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { ChannelAccountStore, type ChannelKind } from '../storage/channel-account-store.js';
import { ChannelConnections } from '../tenants/channel-connections.js';
import { SECRET_CONTEXT } from '../tenants/tenant-service.js';
import { DEMO_TENANT } from './demo-tenant.js';

export interface DemoChannelTokens {
  /** The Instagram account's access token (the Instagram simulator accepts only it for the account). */
  instagramToken: string;
  /** The customer bot's token (its simulator answers only to it). */
  customerBotToken: string;
}

/**
 * Connects the demo tenant's Instagram account and its own customer-facing Telegram bot as an operator does
 * (`botctl tenant update <slug> --instagram-account-id … --instagram-token … --telegram-customer-bot-token …`, which
 * is ChannelConnections), each unless it is already connected, and returns both tokens: new ones, or those sealed
 * in the cell by an earlier run on the same --data-dir.
 */
export function connectDemoChannels(cell: Cell, tenant: { id: number; slug: string }): DemoChannelTokens {
  const connections = new ChannelConnections({ db: cell.db, secrets: cell.secrets, audit: new AuditStore(cell.db) });
  const accounts = new ChannelAccountStore(cell.db).forTenant(tenant.id);
  const stored = (channel: ChannelKind, context: string): string | null => {
    const sealed = accounts.find((a) => a.channel === channel)?.accessTokenEnc;
    return sealed ? cell.secrets.open(sealed, context, `the demo tenant's ${channel} token`) : null;
  };

  let instagramToken = stored('instagram', SECRET_CONTEXT.instagramToken(tenant.slug));
  if (!instagramToken) {
    instagramToken = `IGAAdemo${randomBytes(24).toString('base64url')}`;
    connections.connectInstagram(tenant, { accountId: DEMO_TENANT.instagramAccountId, token: instagramToken }, currentActor());
  }
  let customerBotToken = stored('telegram', SECRET_CONTEXT.telegramCustomerBotToken(tenant.slug));
  if (!customerBotToken) {
    customerBotToken = `${DEMO_TENANT.customerBotId}:AA${randomBytes(26).toString('base64url')}`;
    connections.connectTelegramBot(tenant, customerBotToken, currentActor(), cell.config.telegramBotToken ?? null);
  }
  return { instagramToken, customerBotToken };
}
