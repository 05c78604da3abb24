import type { Db } from './open-db.js';

export type ChannelKind = 'whatsapp' | 'instagram' | 'telegram';

export interface ChannelAccountRow {
  id: number;
  tenantId: number;
  channel: ChannelKind;
  externalId: string;
  accessTokenEnc: Buffer | null;
  status: 'ok' | 'token_broken';
  statusDetail: string | null;
}

/** A tenant's channel accounts beyond its WhatsApp number (that one is kept by tenant-store.ts). */
export class ChannelAccountStore {
  constructor(private readonly db: Db) {}

  forTenant(tenantId: number): ChannelAccountRow[] {
    return this.db.prepare(`SELECT id, tenant_id AS tenantId, channel, external_id AS externalId, access_token_enc AS accessTokenEnc, status, status_detail AS statusDetail
      FROM channel_accounts WHERE tenant_id = ? ORDER BY CASE channel WHEN 'whatsapp' THEN 0 WHEN 'instagram' THEN 1 ELSE 2 END`).all(tenantId) as ChannelAccountRow[];
  }

  /** The tenant that owns `externalId` on `channel`, if any (an account belongs to one tenant of the cell). */
  ownerOf(channel: ChannelKind, externalId: string): { tenantId: number; slug: string } | null {
    return (this.db.prepare('SELECT t.id AS tenantId, t.slug FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.channel = ? AND c.external_id = ?')
      .get(channel, externalId) as { tenantId: number; slug: string } | undefined) ?? null;
  }

  /** Connects or replaces the tenant's account on `channel`; a new token clears a broken-token flag. */
  upsert(tenantId: number, channel: ChannelKind, externalId: string, accessTokenEnc: Buffer, now: number): void {
    this.db.prepare(`INSERT INTO channel_accounts (tenant_id, channel, external_id, access_token_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (tenant_id, channel) DO UPDATE SET external_id = excluded.external_id, access_token_enc = excluded.access_token_enc,
        status = 'ok', status_detail = NULL, updated_at = excluded.updated_at`).run(tenantId, channel, externalId, accessTokenEnc, now, now);
  }

  /** A channel account with its tenant's slug and sealed token (the deliver job decrypts it). */
  sealedCredentials(channelAccountId: number): { slug: string; channel: ChannelKind; externalId: string; tokenEnc: Buffer | null } | null {
    return (this.db.prepare(`SELECT t.slug, c.channel, c.external_id AS externalId, c.access_token_enc AS tokenEnc
      FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = ?`).get(channelAccountId) as
      { slug: string; channel: ChannelKind; externalId: string; tokenEnc: Buffer | null } | undefined) ?? null;
  }

  /** Every tenant's account on `channel` (for `botctl doctor`). */
  accountsOn(channel: ChannelKind): { slug: string; externalId: string; tokenEnc: Buffer | null }[] {
    return this.db.prepare(`SELECT t.slug, c.external_id AS externalId, c.access_token_enc AS tokenEnc FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id
      WHERE c.channel = ? AND t.status = 'active' ORDER BY t.slug`).all(channel) as { slug: string; externalId: string; tokenEnc: Buffer | null }[];
  }

  /** Every tenant's customer bot, with what intake needs (the bot id is the account's external id). */
  customerBots(): CustomerBotRow[] {
    return this.db.prepare(`${BOTS} ORDER BY t.id`).all() as CustomerBotRow[];
  }

  customerBotOf(slug: string): CustomerBotRow | null {
    return (this.db.prepare(`${BOTS} AND t.slug = ?`).get(slug) as CustomerBotRow | undefined) ?? null;
  }

  /** Remembers a customer's handle on the channel (Telegram @username), shown on the card. */
  setContactHandle(channelAccountId: number, providerId: string, handle: string | null, now: number): void {
    this.db.prepare('UPDATE contacts SET handle = ?, updated_at = ? WHERE channel_account_id = ? AND provider_id = ? AND handle IS NOT ?').run(handle, now, channelAccountId, providerId, handle);
  }
}

export interface CustomerBotRow {
  tenantId: number;
  slug: string;
  tenantStatus: 'active' | 'disabled';
  channelAccountId: number;
  botId: string;
  tokenEnc: Buffer;
}

const BOTS = `SELECT t.id AS tenantId, t.slug, t.status AS tenantStatus, c.id AS channelAccountId, c.external_id AS botId, c.access_token_enc AS tokenEnc
  FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.channel = 'telegram' AND c.access_token_enc IS NOT NULL`;
