import { checkCrm } from '../../integrations/check-integrations.js';
import { SecretBox } from '../../security/secret-box.js';
import { SqlCrmStore } from '../../storage/integration-crm-store.js';
import { SqlWebhookStore } from '../../storage/integration-webhook-store.js';
import { mapBounded } from '../probes/bounded.js';
import { ok, skip, summarize, warn, type CheckItem, type CheckResult, type DoctorContext } from './check.js';

const G = 'integrations';

/**
 * Each tenant's CRM credentials, by one read-only call each (amoCRM account, Bitrix24 lead fields), and the
 * webhook endpoints marked failing. Doctor never sends a webhook: `botctl integrations test <slug>` does.
 */
export async function integrationChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const c = ctx.config;
  if (!c?.secretKey) return [skip(G, 'CRM credentials', 'needs a valid configuration with BOTCTL_SECRET_KEY')];
  if (!ctx.db) return [skip(G, 'CRM credentials', 'needs the database')];
  const db = ctx.db;
  let connections;
  let failing;
  try {
    connections = new SqlCrmStore(db).connections();
    failing = new SqlWebhookStore(db).failingEndpoints();
  } catch {
    return [skip(G, 'CRM credentials', 'the database has no integration tables yet (botctl migrate)')];
  }
  const box = new SecretBox(c.secretKey);
  const items = await mapBounded(connections, ctx.concurrency, async (conn): Promise<CheckItem> => {
    const result = await checkCrm(conn, box, ctx.timeoutMs);
    return { subject: result.subject, status: result.ok ? (result.fix ? 'warn' : 'ok') : 'fail', detail: result.detail, fix: result.fix };
  });
  const webhooks = failing.length === 0
    ? ok(G, 'webhook endpoints', 'none failing')
    : { ...warn(G, 'webhook endpoints', `${failing.length} failing`, `botctl integrations deliveries <slug> --state failed, then botctl integrations redeliver <id>`),
      items: failing.map((f): CheckItem => ({ subject: `${f.slug} webhook ${f.endpointId}`, status: 'warn', detail: f.detail ?? 'failing', fix: `botctl integrations test ${f.slug} once the receiver is back` })) };
  return [summarize(G, 'CRM credentials', items, 'CRM connections'), webhooks];
}
