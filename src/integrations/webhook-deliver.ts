import { TransientJobError } from '../jobs/errors.js';
import type { Job } from '../jobs/types.js';
import { registerTenantSecret } from '../observability/redact.js';
import type { SecretBox } from '../security/secret-box.js';
import type { DeliveryToSend, SqlWebhookStore } from '../storage/integration-webhook-store.js';
import { isDelivered, WEBHOOK_REQUEST_TIMEOUT_MS } from './delivery-policy.js';
import { INTEGRATION_SECRET } from './secret-contexts.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';

/** Where a webhook goes, for logs and errors: origin and path only (a query string may carry the receiver's own token). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The secrets a delivery is signed with now: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(secrets: SecretBox, slug: string, endpoint: DeliveryToSend['endpoint'], now: number): string[] {
  const context = INTEGRATION_SECRET.webhook(slug, endpoint.id);
  const out = [secrets.open(endpoint.secretEnc, context, `the secret of webhook ${endpoint.id} of tenant ${slug}`)];
  if (endpoint.previousSecretEnc && endpoint.previousExpiresAt !== null && endpoint.previousExpiresAt > now) {
    out.push(secrets.open(endpoint.previousSecretEnc, context, `the previous secret of webhook ${endpoint.id} of tenant ${slug}`));
  }
  for (const s of out) registerTenantSecret(s);
  return out;
}

/** POSTs one signed body; returns the receiver's status, or throws on a network failure or timeout. */
export async function postSigned(url: string, body: string, headers: { eventId: string; eventType: string; signature: string }, signal: AbortSignal, timeoutMs = WEBHOOK_REQUEST_TIMEOUT_MS): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'user-agent': 'botctl-webhooks/1',
      [SIGNATURE_HEADER]: headers.signature, [EVENT_ID_HEADER]: headers.eventId, [EVENT_TYPE_HEADER]: headers.eventType,
    },
    body,
    redirect: 'manual', // a redirect is not a delivery: the receiver must give its final URL
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  await response.body?.cancel().catch(() => undefined);
  return response.status;
}

function networkError(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string }; message?: string };
  if (e.name === 'TimeoutError') return `no answer within ${WEBHOOK_REQUEST_TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.message ?? String(err);
}

/**
 * The delivery job: signs the stored payload and POSTs it. A 2xx ends it (and clears a failing mark). Anything else
 * is recorded in the delivery log and retried with the webhook policy; after the last attempt the delivery is
 * `failed`, the endpoint `failing` (watch alerts once), and the job ends without becoming dead: redelivery is the
 * operator's tool (`botctl integrations redeliver <id>`), not the dead-jobs list.
 */
export class WebhookDeliverer {
  constructor(private readonly deps: { store: SqlWebhookStore; secrets: SecretBox; clock: () => number }) {}

  async run(job: Job, signal: AbortSignal): Promise<void> {
    const { store, clock } = this.deps;
    const delivery = store.forSend(Number(job.payload.deliveryId));
    if (!delivery || delivery.state === 'delivered') return; // endpoint removed, or delivered by an earlier attempt
    const now = clock();
    const body = delivery.payload;
    const eventId = (JSON.parse(body) as { id: string }).id;
    const signature = signatureHeader(body, signingSecrets(this.deps.secrets, delivery.tenantSlug, delivery.endpoint, now), Math.floor(now / 1000));
    let status: number | null = null;
    let error: string;
    try {
      status = await postSigned(delivery.endpoint.url, body, { eventId, eventType: delivery.eventType, signature }, signal);
      if (isDelivered(status)) {
        store.transaction(() => {
          store.recordAttempt(delivery.id, { status, error: null, final: 'delivered', now: clock() });
          store.setEndpointStatus(delivery.endpoint.id, 'ok', null, clock());
        });
        return;
      }
      error = `the receiver answered HTTP ${status}`;
    } catch (err) {
      if (signal.aborted) throw err;
      error = networkError(err);
    }
    const last = job.attempts >= job.maxAttempts;
    store.transaction(() => {
      store.recordAttempt(delivery.id, { status, error, final: last ? 'failed' : null, now: clock() });
      if (last) store.setEndpointStatus(delivery.endpoint.id, 'failing', `${describeUrl(delivery.endpoint.url)}: ${error} after ${job.attempts} attempts`, clock());
    });
    if (!last) throw new TransientJobError(`webhook to ${describeUrl(delivery.endpoint.url)} not delivered: ${error}`);
  }
}
