import { generateEndpointSecret } from '../../integrations/signing.js';
import { SPECS } from './format.js';
import type { FamilyWriter } from './write-tenant-rows.js';

/** Why a CRM connection that arrived without its credential is marked broken (shown by `integrations list` and watch). */
export const CRM_CREDENTIAL_NOT_CARRIED = 'its credential did not travel with the tenant (exported without secrets)';

/**
 * Webhook endpoints, CRM connections and CRM links. Secrets are sealed with this cell's key, a webhook's under the
 * endpoint's new id (chosen before the insert, inside the import transaction). The links keep the CRM's ids, so the
 * next event of a moved customer adds a note to their lead instead of creating a second one.
 *
 * The source's integration events are not carried, so a broken connection's held events stay there; here it holds
 * this cell's events from the import on, which setting a working credential sends. A file without secrets brings an
 * endpoint with a new signing secret (the operator rotates it to learn one) and a CRM connection marked broken.
 */
export function writeIntegrations({ store, each, mapped, secrets, now }: FamilyWriter): void {
  let nextEndpointId = store.maxId('webhook_endpoints') + 1;
  each('webhook_endpoint', (r) => {
    const id = nextEndpointId++;
    const secret = secrets.sealAtRest('webhook_endpoint', r, 'secret', id);
    const previous = secret === null ? null : secrets.sealAtRest('webhook_endpoint', r, 'previous_secret', id);
    return store.insert(SPECS.webhook_endpoint, {
      id,
      ...mapped(r, previous === null ? { previous_expires_at: null } : {}),
      secret: secret ?? secrets.sealNew(generateEndpointSecret(), 'webhook_endpoint', r, 'secret', id),
      previous_secret: previous,
    });
  });
  const firstEventHere = store.maxId('integration_events') + 1;
  each('crm_connection', (r) => {
    const secret = secrets.sealAtRest('crm_connection', r, 'secret', 0);
    const broken = secret === null || r.row.status === 'broken';
    return store.insert(SPECS.crm_connection, {
      ...mapped(r, secret === null ? { status: 'broken', status_detail: CRM_CREDENTIAL_NOT_CARRIED, status_changed_at: now } : {}),
      // An empty value no key opens: the connection is broken until the operator sets the credential.
      secret: secret ?? Buffer.alloc(0),
      held_from_event_id: broken ? firstEventHere : null,
    });
  });
  each('crm_link', (r) => store.insert(SPECS.crm_link, mapped(r)));
}
