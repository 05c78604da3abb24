import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { Queue } from '../jobs/queue.js';
import { SqlCrmStore, type ConnectionRow, type Provider } from '../storage/integration-crm-store.js';
import { JobStore } from '../storage/job-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import type { AmoSettings } from './amocrm/amocrm-crm.js';
import type { Bitrix24Settings } from './bitrix24/bitrix24-crm.js';
import { CRM_SYNC_POLICY } from './crm-policy.js';
import { CRM_EVENTS, crmOrderKey, INTEGRATION_JOB } from './kinds.js';
import { INTEGRATION_SECRET } from './secret-contexts.js';

/** A CRM connection as the CLI shows it: settings and state, never the credential. */
export interface ConnectionView {
  provider: Provider;
  /** Events held while the connection was broken, queued again by this change. */
  resent?: number;
  status: 'ok' | 'broken';
  statusDetail: string | null;
  settings: Record<string, unknown>;
  credential: 'set';
}

export const connectionView = (c: ConnectionRow): ConnectionView => ({ provider: c.provider, status: c.status, statusDetail: c.statusDetail, settings: c.settings, credential: 'set' });

const local = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

function checkApiUrl(text: string, flag: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${flag} is not a URL`, `give it like ${example}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local(url))) throw new UserError(`${flag} must use https`, `give it like ${example}`);
  return url;
}

/** Connects, changes and disconnects a tenant's amoCRM and Bitrix24; credentials are sealed before they are stored. */
export class CrmAdmin {
  private readonly store: SqlCrmStore;
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.store = new SqlCrmStore(cell.db);
    this.tenants = new TenantService(cell, clock);
  }

  setAmoCrm(slug: string, input: { subdomain?: string; token?: string; apiUrl?: string; pipelineId?: number; statusId?: number }): ConnectionView {
    const tenant = this.tenants.get(slug);
    const current = this.store.connection(tenant.id, 'amocrm');
    const previous = (current?.settings ?? {}) as Partial<AmoSettings>;
    const subdomain = input.subdomain ?? previous.subdomain;
    if (!subdomain || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(subdomain)) {
      throw new UserError(subdomain ? `"${subdomain}" is not an amoCRM subdomain` : 'the amoCRM subdomain is missing', `give --subdomain, the part before .amocrm.ru of the account address (e.g. --subdomain dentalalmaty)`);
    }
    if (!input.token && !current) throw new UserError('the amoCRM token is missing', `make a long-lived token in amoCRM (Settings → Integrations → your integration → Keys and scopes) and give it: botctl integrations amocrm ${slug} --subdomain ${subdomain} --token <token>`);
    if (input.token !== undefined && !/^\S{20,}$/.test(input.token)) throw new UserError('the amoCRM token looks wrong (too short or has spaces)', 'copy the whole long-lived token from amoCRM');
    const settings: AmoSettings = {
      subdomain,
      ...(input.apiUrl ?? previous.apiUrl ? { apiUrl: checkApiUrl((input.apiUrl ?? previous.apiUrl)!, '--api-url', 'https://<subdomain>.kommo.com').origin } : {}),
      ...((input.pipelineId ?? previous.pipelineId) !== undefined ? { pipelineId: input.pipelineId ?? previous.pipelineId! } : {}),
      ...((input.statusId ?? previous.statusId) !== undefined ? { statusId: input.statusId ?? previous.statusId! } : {}),
    };
    const secretEnc = input.token ? this.cell.secrets.seal(input.token, INTEGRATION_SECRET.crm(slug, 'amocrm')) : current!.secretEnc;
    const resent = this.save(current, { tenantId: tenant.id, provider: 'amocrm', settings: settings as unknown as Record<string, unknown>, secretEnc });
    return { ...connectionView(this.store.connection(tenant.id, 'amocrm')!), resent };
  }

  setBitrix24(slug: string, input: { webhookUrl?: string; sourceId?: string }): ConnectionView {
    const tenant = this.tenants.get(slug);
    const current = this.store.connection(tenant.id, 'bitrix24');
    if (!input.webhookUrl && !current) throw new UserError('the Bitrix24 webhook URL is missing', `make an inbound webhook in Bitrix24 (Developer resources → Other → Inbound webhook, scope crm) and give it: botctl integrations bitrix24 ${slug} --webhook-url https://<portal>/rest/<user>/<secret>/`);
    let portal = (current?.settings as Partial<Bitrix24Settings> | undefined)?.portal ?? '';
    let secretEnc = current?.secretEnc;
    if (input.webhookUrl) {
      const url = checkApiUrl(input.webhookUrl, '--webhook-url', 'https://<portal>.bitrix24.ru/rest/<user>/<secret>/');
      if (!/^\/rest\/\d+\/[A-Za-z0-9]{6,}\/?$/.test(url.pathname)) {
        throw new UserError('--webhook-url is not a Bitrix24 inbound webhook address', 'copy it whole from Bitrix24; it looks like https://<portal>.bitrix24.ru/rest/<user>/<secret>/');
      }
      portal = url.host;
      secretEnc = this.cell.secrets.seal(`${url.origin}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`, INTEGRATION_SECRET.crm(slug, 'bitrix24'));
    }
    const previousSource = (current?.settings as Partial<Bitrix24Settings> | undefined)?.sourceId;
    const settings: Bitrix24Settings = { portal, ...(input.sourceId ?? previousSource ? { sourceId: (input.sourceId ?? previousSource)! } : {}) };
    const resent = this.save(current, { tenantId: tenant.id, provider: 'bitrix24', settings: settings as unknown as Record<string, unknown>, secretEnc: secretEnc! });
    return { ...connectionView(this.store.connection(tenant.id, 'bitrix24')!), resent };
  }

  /**
   * Stores the connection (clearing a broken mark); when it was broken, the events held since are queued again in
   * the same transaction, oldest first, so the CRM misses nothing that happened while its credential was refused.
   */
  private save(current: ConnectionRow | null, c: { tenantId: number; provider: Provider; settings: Record<string, unknown>; secretEnc: Buffer }): number {
    const queue = new Queue(new JobStore(this.cell.db), null, this.clock);
    return this.store.transaction(() => {
      this.store.upsertConnection({ ...c, now: this.clock() });
      if (current?.status !== 'broken' || current.heldFromEventId === null) return 0;
      const held = this.store.eventsFrom(c.tenantId, current.heldFromEventId, [...CRM_EVENTS]);
      for (const e of held) {
        queue.enqueue({
          kind: INTEGRATION_JOB.crmSync, tenantId: c.tenantId, payload: { eventId: e.id, provider: c.provider },
          concurrencyKey: crmOrderKey(c.provider, e.contactId), maxAttempts: CRM_SYNC_POLICY.maxAttempts, traceId: `crm-${e.id}`,
        });
      }
      return held.length;
    });
  }

  remove(slug: string, provider: Provider): void {
    const tenant = this.tenants.get(slug);
    if (!this.store.removeConnection(tenant.id, provider)) throw new UserError(`tenant ${slug} has no ${provider} connection`, `botctl integrations list ${slug} shows what is connected`);
  }

  list(slug: string): ConnectionView[] {
    return this.store.connections(this.tenants.get(slug).id).map(connectionView);
  }

  connections(slug: string): ConnectionRow[] {
    return this.store.connections(this.tenants.get(slug).id);
  }
}
