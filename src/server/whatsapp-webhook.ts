import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { WebhookPayloadError } from '../channels/errors.js';
import type { AccountBatch, ChannelReceiver } from '../channels/types.js';
import type { Intake, VerifiedBatch } from '../conversation/intake.js';
import type { IntakeStore } from '../conversation/ports.js';
import type { Logger } from '../observability/logger.js';

export interface WhatsappWebhookDeps {
  receiver: ChannelReceiver;
  accounts: Pick<IntakeStore, 'findAccount'>;
  intake: Intake;
  verifyToken: string | null;
  /** The cell's Meta app secret (WHATSAPP_APP_SECRET); a tenant's own secret takes precedence for its number. */
  cellAppSecret: string | null;
  logger: Logger;
  events?: { signatureFailure?(): void; unknownAccount?(phoneNumberId: string): void; accepted?(batches: readonly VerifiedBatch[]): void };
}

/** Meta's limit is 3 MB per delivery; a little headroom for the envelope. */
const MAX_BODY_BYTES = 3.5 * 1024 * 1024;

/**
 * `GET /webhooks/whatsapp`: Meta's verification handshake. `POST /webhooks/whatsapp`: verify the signature over
 * the raw bytes, store every new message with its job in one durable transaction, then answer 200. Anything we
 * could not store answers 5xx, so Meta delivers it again (duplicates are dropped by the wamid).
 */
export function whatsappWebhook(deps: WhatsappWebhookDeps): Hono {
  const app = new Hono();

  app.get('/', (c) => {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token') ?? '';
    const challenge = c.req.query('hub.challenge') ?? '';
    if (mode === 'subscribe' && deps.verifyToken && sameText(token, deps.verifyToken)) return c.text(challenge, 200);
    deps.logger.warn({ mode }, 'webhook verification refused: hub.verify_token does not match WHATSAPP_VERIFY_TOKEN');
    return c.text('verify token mismatch: set the same Verify token in the Meta app and in WHATSAPP_VERIFY_TOKEN', 403);
  });

  app.post('/', async (c) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) return c.json({ error: 'payload too large' }, 413);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.byteLength > MAX_BODY_BYTES) return c.json({ error: 'payload too large' }, 413);
    const signature = c.req.header('x-hub-signature-256');
    const signedByCell = () => deps.cellAppSecret !== null && deps.receiver.verifySignature(raw, signature, deps.cellAppSecret);

    let batches: AccountBatch[];
    try {
      batches = deps.receiver.parse(JSON.parse(new TextDecoder().decode(raw)) as unknown);
    } catch (err) {
      if (!signedByCell()) return refuse();
      const problem = err instanceof WebhookPayloadError ? err.message : 'the body is not valid JSON';
      deps.logger.warn({ problem }, 'malformed WhatsApp webhook refused');
      return c.json({ error: `malformed webhook: ${problem}` }, 400);
    }

    const resolved = batches.map((batch) => ({ batch, account: deps.accounts.findAccount('whatsapp', batch.accountExternalId) }));
    const candidates = [...new Set([...resolved.map((r) => r.account?.appSecret ?? deps.cellAppSecret), deps.cellAppSecret])].filter((s): s is string => s !== null);
    const secret = candidates.find((s) => deps.receiver.verifySignature(raw, signature, s));
    if (!secret) return refuse();

    const verified: VerifiedBatch[] = [];
    for (const { batch, account } of resolved) {
      if (!account) {
        deps.logger.warn({ phoneNumberId: batch.accountExternalId, messages: batch.messages.length }, 'webhook for an unknown WhatsApp phone number id: acknowledged and dropped; add the tenant with botctl tenant add or fix its --whatsapp-phone-number-id');
        deps.events?.unknownAccount?.(batch.accountExternalId);
      } else if ((account.appSecret ?? deps.cellAppSecret) !== secret) {
        deps.logger.warn({ tenant: account.tenantSlug }, 'webhook part signed with another app\'s secret: dropped; check the tenant\'s --whatsapp-app-secret');
      } else {
        for (const error of batch.errors) deps.logger.warn({ tenant: account.tenantSlug, code: error.code, title: error.title }, 'WhatsApp reported an account error');
        verified.push({ account, batch });
      }
    }
    try {
      const result = await deps.intake.accept(verified);
      deps.events?.accepted?.(verified);
      if (result.stored + result.duplicates + result.statuses > 0) deps.logger.debug(result, 'webhook accepted');
    } catch (err) {
      deps.logger.error({ err }, 'webhook could not be stored; answering 500 so Meta delivers it again');
      return c.json({ error: 'could not store the delivery; it will be retried' }, 500);
    }
    return c.json({ ok: true });

    function refuse() {
      deps.logger.warn({ hasSignature: Boolean(signature) }, 'webhook signature invalid: refused with 401; check WHATSAPP_APP_SECRET or the tenant\'s --whatsapp-app-secret');
      deps.events?.signatureFailure?.();
      return c.json({ error: 'invalid signature' }, 401);
    }
  });

  return app;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
