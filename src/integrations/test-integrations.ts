import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { SqlWebhookStore } from '../storage/integration-webhook-store.js';
import { checkCrm, sendTestEvent, type IntegrationCheck } from './check-integrations.js';
import { CrmAdmin } from './crm-admin.js';
import { TenantService } from '../tenants/tenant-service.js';

/**
 * `botctl integrations test <slug>`: proves each CRM credential with a read-only call and POSTs a signed
 * `integration.test` event to each webhook endpoint, outside the queue and the delivery log. Changes nothing.
 */
export async function testIntegrations(cell: Cell, slug: string, options: { timeoutMs: number; clock?: () => number }): Promise<IntegrationCheck[]> {
  const tenant = new TenantService(cell).get(slug);
  const connections = new CrmAdmin(cell).connections(slug);
  const webhooks = new SqlWebhookStore(cell.db);
  const endpoints = webhooks.endpoints(tenant.id);
  if (connections.length === 0 && endpoints.length === 0) {
    throw new UserError(`tenant ${slug} has no integrations to test`, `add one: botctl integrations webhook add ${slug} --url … --events …, botctl integrations amocrm ${slug} …, or botctl integrations bitrix24 ${slug} …`);
  }
  const now = (options.clock ?? Date.now)();
  const results: IntegrationCheck[] = [];
  for (const conn of connections) results.push(await checkCrm(conn, cell.secrets, options.timeoutMs));
  for (const e of endpoints) results.push(await sendTestEvent(slug, webhooks.endpoint(e.tenantId, e.id)!, cell.secrets, now));
  return results;
}

