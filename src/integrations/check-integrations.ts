import { errorMessage } from '../errors.js';
import { scrubText } from '../observability/redact.js';
import type { SecretBox } from '../security/secret-box.js';
import type { ConnectionRow } from '../storage/integration-crm-store.js';
import type { EndpointRow, EndpointSecrets } from '../storage/integration-webhook-store.js';
import { buildPayload, newEventId } from './build-payload.js';
import { openCrm } from './crm-connect.js';
import { CrmApiError } from './crm-errors.js';
import { RatePacer } from './rate-pacer.js';
import { isDelivered } from './delivery-policy.js';
import { INTEGRATION_SECRET } from './secret-contexts.js';
import { signatureHeader } from './signing.js';
import { describeUrl, postSigned } from './webhook-deliver.js';

export interface IntegrationCheck {
  subject: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

/** Proves a CRM credential with one read-only call (nothing is created in the CRM). */
export async function checkCrm(conn: ConnectionRow, secrets: SecretBox, timeoutMs: number): Promise<IntegrationCheck> {
  const subject = `${conn.tenantSlug} ${conn.provider}`;
  const setAgain = conn.provider === 'amocrm' ? `botctl integrations amocrm ${conn.tenantSlug} --token <token>` : `botctl integrations bitrix24 ${conn.tenantSlug} --webhook-url <url>`;
  try {
    const crm = openCrm(conn, secrets, new RatePacer(), timeoutMs);
    const detail = await crm.check(AbortSignal.timeout(timeoutMs + 1000));
    return { subject, ok: true, detail: `${detail}${conn.status === 'broken' ? ' (marked broken until its credential is set again)' : ''}`, fix: conn.status === 'broken' ? setAgain : null };
  } catch (err) {
    if (err instanceof CrmApiError && err.kind === 'auth') return { subject, ok: false, detail: `${conn.provider} refuses the credential: ${scrubText(err.message).slice(0, 200)}`, fix: err.hint };
    if (err instanceof CrmApiError) return { subject, ok: false, detail: scrubText(err.message).slice(0, 200), fix: err.kind === 'permanent' ? `check the ${conn.provider} account (paid, API enabled), then ${setAgain}` : 'check that this host reaches the CRM, then try again' };
    return { subject, ok: false, detail: scrubText(errorMessage(err)).slice(0, 200), fix: (err as { hint?: string }).hint ?? setAgain };
  }
}

/** Sends a signed `integration.test` event straight to an endpoint (not through the queue or the delivery log). */
export async function sendTestEvent(slug: string, endpoint: EndpointRow & EndpointSecrets, secrets: SecretBox, now: number): Promise<IntegrationCheck> {
  const subject = `${slug} webhook ${endpoint.id}`;
  const payload = buildPayload('integration.test', { id: newEventId(), tenant: slug, at: now, data: { message: 'A sample event from botctl integrations test; it changes nothing.' } });
  const body = JSON.stringify(payload);
  try {
    const secret = secrets.open(endpoint.secretEnc, INTEGRATION_SECRET.webhook(slug, endpoint.id), `the secret of webhook ${endpoint.id} of tenant ${slug}`);
    const status = await postSigned(endpoint.url, body, { eventId: payload.id, eventType: payload.type, signature: signatureHeader(body, [secret], Math.floor(now / 1000)) }, AbortSignal.timeout(15_000));
    return isDelivered(status)
      ? { subject, ok: true, detail: `${describeUrl(endpoint.url)} answered HTTP ${status}`, fix: null }
      : { subject, ok: false, detail: `${describeUrl(endpoint.url)} answered HTTP ${status}`, fix: 'the receiver must answer 2xx to a correctly signed POST (docs/integrations/webhooks.md); check its logs' };
  } catch (err) {
    const e = err as { cause?: { code?: string }; name?: string };
    return { subject, ok: false, detail: `${describeUrl(endpoint.url)}: ${e.name === 'TimeoutError' ? 'no answer within 10 s' : e.cause?.code ?? scrubText(errorMessage(err))}`, fix: 'check that this host reaches the receiver (DNS, firewall, TLS), then try again' };
  }
}
