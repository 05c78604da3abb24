import type { CredentialsPort } from '../conversation/ports.js';
import type { ChannelCredentials } from '../channels/types.js';
import { PermanentJobError } from '../jobs/errors.js';
import { registerTenantSecret } from '../observability/redact.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Db } from '../storage/open-db.js';
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
