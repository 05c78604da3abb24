import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { Queue } from '../jobs/queue.js';
import { JobStore } from '../storage/job-store.js';
import { SqlWebhookStore, type DeliveryRow, type EndpointRow } from '../storage/integration-webhook-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import { DEFAULT_ROTATION_OVERLAP_MS, WEBHOOK_POLICY, webhookOrderKey } from './delivery-policy.js';
import { INTEGRATION_JOB } from './kinds.js';
import { SUBSCRIBABLE_EVENTS } from './payloads.js';
import { INTEGRATION_SECRET } from './secret-contexts.js';
import { generateEndpointSecret } from './signing.js';

/** An endpoint as the CLI shows it: never its secret. */
export interface EndpointView {
  id: number;
  url: string;
  events: string[];
  status: 'ok' | 'failing';
  statusDetail: string | null;
  previousSecretUntil: string | null;
  createdAt: string;
}

const view = (e: EndpointRow, now: number): EndpointView => ({
  id: e.id, url: e.url, events: e.events, status: e.status, statusDetail: e.statusDetail,
  previousSecretUntil: e.previousExpiresAt !== null && e.previousExpiresAt > now ? new Date(e.previousExpiresAt).toISOString() : null,
  createdAt: new Date(e.createdAt).toISOString(),
});

/** Parses `--events` (comma-separated, or `all`); an unknown name is refused with the list of known ones. */
export function parseEvents(text: string): string[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return [...SUBSCRIBABLE_EVENTS];
  const unknown = names.filter((n) => !(SUBSCRIBABLE_EVENTS as string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UserError(`${names.length === 0 ? 'no event given' : `unknown event ${unknown.join(', ')}`}`, `give --events as a comma-separated list of ${SUBSCRIBABLE_EVENTS.join(', ')}, or all`);
  }
  return [...new Set(names)];
}

/** Checks an endpoint URL: absolute http(s). Plain http is allowed only to this machine (tests, a local relay). */
export function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`"${text}" is not a URL`, 'give the receiver\'s full address, e.g. --url https://crm.example.com/hooks/botctl');
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new UserError(`the webhook URL must use https (got ${url.protocol.replace(':', '')})`, 'give an https:// address; payloads carry customers\' messages');
  }
  return url.toString();
}

/** What `botctl integrations webhook …`, `deliveries` and `redeliver` do. */
export class WebhookAdmin {
  private readonly store: SqlWebhookStore;
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.store = new SqlWebhookStore(cell.db);
    this.tenants = new TenantService(cell, clock);
  }

  /** Adds an endpoint; the secret is returned here once and never shown again (rotate to get a new one). */
  add(slug: string, input: { url: string; events: string }): { endpoint: EndpointView; secret: string } {
    const tenant = this.tenants.get(slug);
    const url = checkUrl(input.url);
    const events = parseEvents(input.events);
    const secret = generateEndpointSecret();
    const now = this.clock();
    const id = this.store.addEndpoint({ tenantId: tenant.id, url, events, now }, (endpointId) => this.cell.secrets.seal(secret, INTEGRATION_SECRET.webhook(slug, endpointId)));
    return { endpoint: view(this.store.endpoint(tenant.id, id)!, now), secret };
  }

  list(slug: string): EndpointView[] {
    const now = this.clock();
    return this.store.endpoints(this.tenants.get(slug).id).map((e) => view(e, now));
  }

  remove(slug: string, endpointId: number): void {
    const tenant = this.tenants.get(slug);
    if (!this.store.removeEndpoint(tenant.id, endpointId)) throw this.noEndpoint(slug, endpointId);
  }

  /**
   * A new secret; the old one keeps signing (a second `v1` in the header) for `overlapMs`, so receivers can switch
   * without losing a delivery. Rotating again inside the overlap drops the oldest secret.
   */
  rotateSecret(slug: string, endpointId: number, overlapMs = DEFAULT_ROTATION_OVERLAP_MS): { endpoint: EndpointView; secret: string } {
    const tenant = this.tenants.get(slug);
    const endpoint = this.store.endpoint(tenant.id, endpointId);
    if (!endpoint) throw this.noEndpoint(slug, endpointId);
    const secret = generateEndpointSecret();
    const now = this.clock();
    const context = INTEGRATION_SECRET.webhook(slug, endpointId);
    this.store.rotateSecret(tenant.id, endpointId, this.cell.secrets.seal(secret, context), overlapMs > 0 ? endpoint.secretEnc : null, overlapMs > 0 ? now + overlapMs : null, now);
    return { endpoint: view(this.store.endpoint(tenant.id, endpointId)!, now), secret };
  }

  deliveries(slug: string, filter: { endpointId?: number; state?: string; limit: number }): DeliveryRow[] {
    if (filter.state && !['pending', 'delivered', 'failed'].includes(filter.state)) {
      throw new UserError(`unknown delivery state "${filter.state}"`, 'give --state pending, delivered or failed');
    }
    return this.store.deliveries(this.tenants.get(slug).id, filter);
  }

  /** Sends a delivery again (same event id and body, signed anew); its endpoint's order per contact still holds. */
  redeliver(deliveryId: number): { deliveryId: number; tenant: string; jobId: number } {
    const owner = this.store.deliveryOwner(deliveryId);
    if (!owner) throw new UserError(`there is no webhook delivery ${deliveryId}`, 'botctl integrations deliveries <slug> lists them with their ids');
    const queue = new Queue(new JobStore(this.cell.db), null, this.clock);
    const jobId = this.store.transaction(() => {
      this.store.reopenDelivery(deliveryId, this.clock());
      return queue.enqueue({
        kind: INTEGRATION_JOB.webhookDeliver, tenantId: owner.tenantId, payload: { deliveryId },
        concurrencyKey: webhookOrderKey(owner.endpointId, owner.contactId), maxAttempts: WEBHOOK_POLICY.maxAttempts, traceId: `webhook-${deliveryId}`,
      });
    });
    return { deliveryId, tenant: owner.tenantSlug, jobId };
  }

  private noEndpoint(slug: string, endpointId: number): UserError {
    return new UserError(`tenant ${slug} has no webhook endpoint ${endpointId}`, `botctl integrations webhook list ${slug} shows its endpoints and their ids`);
  }
}
