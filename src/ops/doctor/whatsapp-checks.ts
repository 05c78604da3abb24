import { randomBytes } from 'node:crypto';
import { ChannelApiError } from '../../channels/errors.js';
import { GraphClient } from '../../channels/whatsapp/graph-client.js';
import { registerTenantSecret, scrubText } from '../../observability/redact.js';
import { SecretBox } from '../../security/secret-box.js';
import { OpsStore } from '../../storage/ops-store.js';
import { SECRET_CONTEXT } from '../../tenants/tenant-service.js';
import { mapBounded } from '../probes/bounded.js';
import { localBaseUrl, probe } from '../probes/http-probe.js';
import { fail, ok, skip, summarize, type CheckItem, type CheckResult, type DoctorContext } from './check.js';

const G = 'whatsapp';

/** Every active tenant's token, by reading its own phone number from the Graph API (a read: nothing is sent). */
export async function whatsappTokenChecks(ctx: DoctorContext): Promise<CheckResult> {
  const c = ctx.config;
  if (!c?.secretKey) return skip(G, 'tenant tokens', 'needs a valid configuration with BOTCTL_SECRET_KEY');
  if (!ctx.db) return skip(G, 'tenant tokens', 'needs the database');
  const box = new SecretBox(c.secretKey);
  const graph = new GraphClient({ baseUrl: c.whatsappGraphUrl, timeoutMs: ctx.timeoutMs });
  const accounts = new OpsStore(ctx.db).tenantWhatsappAccounts();
  const items = await mapBounded(accounts, ctx.concurrency, async (a): Promise<CheckItem> => {
    const item = (status: CheckItem['status'], detail: string, fix: string | null): CheckItem => ({ subject: a.slug, status, detail, fix });
    const setToken = `botctl tenant update ${a.slug} --whatsapp-token <token>`;
    if (!a.tokenEnc) return item('fail', 'no WhatsApp token stored', setToken);
    let token: string;
    try {
      token = box.open(a.tokenEnc, SECRET_CONTEXT.whatsappToken(a.slug), `the WhatsApp token of tenant ${a.slug}`);
    } catch (err) {
      return item('fail', (err as Error).message, (err as Error & { hint?: string }).hint ?? setToken);
    }
    registerTenantSecret(token);
    try {
      const info = await graph.getPhoneNumber(a.phoneNumberId, token);
      return item('ok', `phone number ${a.phoneNumberId}${info.verified_name ? ` (${info.verified_name})` : ''}`, null);
    } catch (err) {
      if (err instanceof ChannelApiError && err.reason === 'token_invalid') {
        return item('fail', `Meta refuses the token of phone number ${a.phoneNumberId} (code ${err.code ?? err.httpStatus})`, `make a permanent System User token in Meta Business Settings, then ${setToken}`);
      }
      if (err instanceof ChannelApiError && err.reason === 'bad_request') {
        return item('fail', `phone number id ${a.phoneNumberId} is not readable with this token: ${scrubText(err.message).slice(0, 160)}`, `check the id in WhatsApp Manager → Phone numbers, then botctl tenant update ${a.slug} --whatsapp-phone-number-id <id>`);
      }
      return item('fail', `the Graph API did not answer for ${a.phoneNumberId}: ${scrubText((err as Error).message).slice(0, 160)}`, 'check that this host reaches WHATSAPP_GRAPH_URL, then run botctl doctor again');
    }
  });
  return summarize(G, 'tenant tokens', items, 'tenant tokens');
}

/**
 * The worker is up and the webhook route answers: a verification request with a random (wrong) verify token must
 * get 403. That proves the route without sending, or leaking, the real token.
 */
export async function webhookCheck(ctx: DoctorContext): Promise<CheckResult[]> {
  const G = 'worker';
  const c = ctx.config;
  if (!c) return [skip(G, 'worker', 'needs a valid configuration')];
  const base = localBaseUrl(c.httpHost, c.httpPort);
  const health = await probe(`${base}/healthz`, ctx.timeoutMs);
  if (health.status === null) {
    return [fail(G, 'worker', `${base}/healthz: ${health.error}`, 'start the cell: sudo systemctl start botctl (journalctl -u botctl -n 100 says why it stopped)')];
  }
  const results = [health.ok ? ok(G, 'worker', `${base}/healthz answers OK`) : fail(G, 'worker', `${base}/healthz ${health.error}`, 'check free disk and the data folder (above), then sudo systemctl restart botctl')];
  const wrong = randomBytes(12).toString('hex');
  const answer = await probe(`${base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${wrong}&hub.challenge=${wrong}`, ctx.timeoutMs);
  if (answer.status === 403) results.push(ok(G, 'webhook', `GET /webhooks/whatsapp answers (403 for a wrong verify token, as it should)`));
  else if (answer.status === 200) results.push(fail(G, 'webhook', 'GET /webhooks/whatsapp accepted a random verify token', 'set WHATSAPP_VERIFY_TOKEN and restart the worker: sudo systemctl restart botctl'));
  else if (answer.status === 404) results.push(fail(G, 'webhook', 'the worker has no /webhooks/whatsapp route', 'restart the worker on this botctl version: sudo systemctl restart botctl'));
  else results.push(fail(G, 'webhook', `GET /webhooks/whatsapp: ${answer.error ?? `HTTP ${answer.status}`}`, 'journalctl -u botctl -n 100 shows the error; sudo systemctl restart botctl'));
  return results;
}
