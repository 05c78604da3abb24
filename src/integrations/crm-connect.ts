import { registerTenantSecret } from '../observability/redact.js';
import type { SecretBox } from '../security/secret-box.js';
import type { ConnectionRow } from '../storage/integration-crm-store.js';
import { AmoCrm, amoBaseUrl, type AmoSettings } from './amocrm/amocrm-crm.js';
import { AmoCrmClient } from './amocrm/client.js';
import { Bitrix24Crm, type Bitrix24Settings } from './bitrix24/bitrix24-crm.js';
import { Bitrix24Client } from './bitrix24/client.js';
import type { CrmAdapter } from './crm-adapter.js';
import { CRM_DESTINATIONS, CRM_REQUEST_TIMEOUT_MS } from './crm-policy.js';
import type { RatePacer } from './rate-pacer.js';
import { INTEGRATION_SECRET } from './secret-contexts.js';

/** Opens a tenant's CRM connection: decrypts its credential (registered for log scrubbing) and paces its calls. */
export function openCrm(conn: ConnectionRow, secrets: SecretBox, pacer: RatePacer, timeoutMs = CRM_REQUEST_TIMEOUT_MS): CrmAdapter {
  const credential = secrets.open(conn.secretEnc, INTEGRATION_SECRET.crm(conn.tenantSlug, conn.provider), `the ${conn.provider} credential of tenant ${conn.tenantSlug}`);
  registerTenantSecret(credential);
  const destination = CRM_DESTINATIONS[conn.provider];
  const pace = <T>(fn: () => Promise<T>, signal: AbortSignal) => pacer.run(destination.key(conn.tenantSlug), destination.perSecond, fn, signal);
  if (conn.provider === 'amocrm') {
    const settings = conn.settings as unknown as AmoSettings;
    return new AmoCrm(new AmoCrmClient({ baseUrl: amoBaseUrl(settings), token: credential, timeoutMs, pace }), settings);
  }
  // The secret part of a Bitrix24 webhook URL (/rest/<user>/<secret>/) is scrubbed on its own too.
  for (const part of credential.split('/')) if (part.length >= 10) registerTenantSecret(part);
  return new Bitrix24Crm(new Bitrix24Client({ webhookUrl: credential, timeoutMs, pace }), conn.settings as unknown as Bitrix24Settings);
}
