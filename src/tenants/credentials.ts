import type { CredentialsPort } from '../conversation/ports.js';
import type { ChannelCredentials } from '../channels/types.js';
import { PermanentJobError } from '../jobs/errors.js';
import { registerTenantSecret } from '../observability/redact.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Db } from '../storage/open-db.js';
import { ChannelAccountStore } from '../storage/channel-account-store.js';
import { SECRET_CONTEXT } from './tenant-service.js';

/** Decrypts a tenant's WhatsApp credentials when a job needs them (never cached in plaintext longer than a call). */
export class WhatsappCredentials implements CredentialsPort {
  constructor(private readonly db: Db, private readonly secrets: SecretBox) {}

  forTenant(tenantId: number): ChannelCredentials {
    const row = this.db.prepare(`SELECT t.slug, c.external_id AS externalId, c.access_token_enc AS tokenEnc FROM tenants t
      LEFT JOIN channel_accounts c ON c.tenant_id = t.id AND c.channel = 'whatsapp' WHERE t.id = ?`).get(tenantId) as { slug: string; externalId: string | null; tokenEnc: Buffer | null } | undefined;
    if (!row?.externalId || !row.tokenEnc) {
      throw new PermanentJobError(`tenant ${row?.slug ?? tenantId} has no WhatsApp number or token`, `botctl tenant update ${row?.slug ?? '<slug>'} --whatsapp-phone-number-id … --whatsapp-token …`);
    }
    const accessToken = this.secrets.open(row.tokenEnc, SECRET_CONTEXT.whatsappToken(row.slug), `the WhatsApp token of tenant ${row.slug}`);
    registerTenantSecret(accessToken);
    return { externalId: row.externalId, accessToken };
  }
}

/** A channel account's decrypted credentials, with the channel it belongs to. */
export interface AccountCredentials extends ChannelCredentials {
  channel: 'whatsapp' | 'instagram' | 'telegram';
}

const TOKEN_CONTEXT = {
  whatsapp: SECRET_CONTEXT.whatsappToken,
  instagram: SECRET_CONTEXT.instagramToken,
  telegram: SECRET_CONTEXT.telegramCustomerBotToken,
} as const;
const TOKEN_FLAG = { whatsapp: '--whatsapp-token', instagram: '--instagram-token', telegram: '--telegram-customer-bot-token' } as const;

/** Decrypts the credentials of the channel account a message goes out on (any channel). */
export class ChannelAccountCredentials {
  private readonly accounts: ChannelAccountStore;

  constructor(db: Db, private readonly secrets: SecretBox) {
    this.accounts = new ChannelAccountStore(db);
  }

  forAccount(channelAccountId: number): AccountCredentials {
    const row = this.accounts.sealedCredentials(channelAccountId);
    if (!row) throw new PermanentJobError(`channel account ${channelAccountId} no longer exists (its tenant or channel was removed)`, 'nothing to do: the message cannot be delivered');
    if (!row.tokenEnc) {
      throw new PermanentJobError(`tenant ${row.slug} has no ${row.channel} token`, `botctl tenant update ${row.slug} ${TOKEN_FLAG[row.channel]} …`);
    }
    const accessToken = this.secrets.open(row.tokenEnc, TOKEN_CONTEXT[row.channel](row.slug), `the ${row.channel} token of tenant ${row.slug}`);
    registerTenantSecret(accessToken);
    return { channel: row.channel, externalId: row.externalId, accessToken };
  }
}
