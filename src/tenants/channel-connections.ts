import { UserError } from '../errors.js';
import type { AuditStore } from '../storage/audit-store.js';
import { ChannelAccountStore } from '../storage/channel-account-store.js';
import type { Db } from '../storage/open-db.js';
import type { SecretBox } from '../security/secret-box.js';
import { SECRET_CONTEXT } from './tenant-service.js';

export interface InstagramInput {
  accountId?: string | undefined;
  token?: string | undefined;
}

/** A tenant's channel as `tenant show` lists it: never the token. */
export interface ChannelView {
  channel: 'whatsapp' | 'instagram' | 'telegram';
  externalId: string;
  status: 'ok' | 'token_broken';
  statusDetail: string | null;
}

/** Instagram's professional account ids are numeric (17841…); anything else is a pasted username or URL. */
export const IG_ACCOUNT_ID = /^\d{5,25}$/;
/** A Telegram bot's id: the digits of its token before ':'. */
export const TELEGRAM_BOT_ID = /^\d{5,20}$/;

/**
 * Connects a tenant's Instagram professional account (and lists every channel of a tenant). Tokens are sealed with
 * the cell's key under a context naming the tenant and channel, like WhatsApp's.
 */
export class ChannelConnections {
  private readonly store: ChannelAccountStore;

  constructor(private readonly deps: { db: Db; secrets: SecretBox; audit?: Pick<AuditStore, 'record'>; clock?: () => number }) {
    this.store = new ChannelAccountStore(deps.db);
  }

  static wantsInstagram(input: InstagramInput): boolean {
    return input.accountId !== undefined || input.token !== undefined;
  }

  connectInstagram(tenant: { id: number; slug: string }, input: InstagramInput, actor: string): void {
    const current = this.store.forTenant(tenant.id).find((a) => a.channel === 'instagram') ?? null;
    const accountId = input.accountId?.trim() ?? current?.externalId;
    if (!accountId) throw new UserError(`tenant "${tenant.slug}" has no Instagram account yet`, 'give --instagram-account-id together with --instagram-token');
    if (!IG_ACCOUNT_ID.test(accountId)) {
      throw new UserError(`--instagram-account-id "${accountId.slice(0, 40)}" is not an Instagram account id`, 'give the numeric Instagram professional account id (e.g. 17841400000000000) from the Meta app, not the username');
    }
    if (input.token !== undefined && !input.token.trim()) throw new UserError('--instagram-token is empty', 'give the Instagram access token of the account (Meta app > Instagram > API setup)');
    if (!input.token && !current) throw new UserError('--instagram-token is required when connecting an Instagram account', 'give the Instagram access token of the account');
    const owner = this.store.ownerOf('instagram', accountId);
    if (owner && owner.tenantId !== tenant.id) {
      throw new UserError(`Instagram account ${accountId} already belongs to tenant "${owner.slug}"`, `check the id; if the account moved, first connect another one to ${owner.slug} or remove that tenant`);
    }
    const tokenEnc = input.token ? this.deps.secrets.seal(input.token.trim(), SECRET_CONTEXT.instagramToken(tenant.slug)) : current!.accessTokenEnc!;
    const now = (this.deps.clock ?? Date.now)();
    this.deps.db.transaction(() => {
      this.store.upsert(tenant.id, 'instagram', accountId, tokenEnc, now);
      this.deps.audit?.record({ at: now, actor, action: 'tenant.channel', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { channel: 'instagram', changed: [input.accountId !== undefined ? 'account' : null, input.token !== undefined ? 'token' : null].filter(Boolean) } });
    }).immediate();
  }

  /**
   * Connects the tenant's own customer-facing Telegram bot. Its id (the token's digits before ':') is the account's
   * external id; it must not be the cell's desk bot, which already answers the managers' groups.
   */
  connectTelegramBot(tenant: { id: number; slug: string }, token: string, actor: string, deskBotToken: string | null): void {
    const trimmed = token.trim();
    const match = /^(\d{5,20}):[A-Za-z0-9_-]{30,}$/.exec(trimmed);
    if (!match) throw new UserError('--telegram-customer-bot-token is not a bot token', 'give the token @BotFather gave the customer bot, which looks like 123456789:AA…');
    const botId = match[1]!;
    if (deskBotToken && deskBotToken.trim().split(':')[0] === botId) {
      throw new UserError('--telegram-customer-bot-token is the cell\'s desk bot (TELEGRAM_BOT_TOKEN)', 'create a separate bot for customers with @BotFather and give its token');
    }
    const owner = this.store.ownerOf('telegram', botId);
    if (owner && owner.tenantId !== tenant.id) throw new UserError(`this bot already answers the customers of tenant "${owner.slug}"`, 'create a separate bot for each business with @BotFather');
    const now = (this.deps.clock ?? Date.now)();
    this.deps.db.transaction(() => {
      this.store.upsert(tenant.id, 'telegram', botId, this.deps.secrets.seal(trimmed, SECRET_CONTEXT.telegramCustomerBotToken(tenant.slug)), now);
      this.deps.audit?.record({ at: now, actor, action: 'tenant.channel', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { channel: 'telegram', changed: ['token'] } });
    }).immediate();
  }

  list(tenantId: number): ChannelView[] {
    return this.store.forTenant(tenantId).map(({ channel, externalId, status, statusDetail }) => ({ channel, externalId, status, statusDetail }));
  }
}
