import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { UNROUTED } from '../channels/whatsapp/parse-webhook.js';
import { WebhookPayloadError } from '../channels/errors.js';
import type { AccountBatch, ChannelReceiver, RejectedPart } from '../channels/types.js';
import type { Intake, VerifiedBatch } from '../conversation/intake.js';
import type { IntakeAccount, IntakeStore } from '../conversation/ports.js';
import type { Logger } from '../observability/logger.js';
import { cut } from '../observability/cut.js';
import { readBoundedBody } from './read-bounded-body.js';
import { isTransientStorageError } from './storage-errors.js';

export interface WhatsappWebhookDeps {
  /** Meta signs and routes WhatsApp and Instagram deliveries alike; the channel names whose accounts are looked up. Default whatsapp. */
  channel?: 'whatsapp' | 'instagram';
  receiver: ChannelReceiver;
  accounts: Pick<IntakeStore, 'findAccount' | 'recordRejection'>;
  intake: Intake;
  verifyToken: string | null;
  /** The cell's Meta app secret (WHATSAPP_APP_SECRET); a tenant's own secret takes precedence for its number. */
  cellAppSecret: string | null;
  logger: Logger;
  clock?: () => number;
  events?: {
    signatureFailure?(): void; unknownAccount?(phoneNumberId: string): void; accepted?(batches: readonly VerifiedBatch[]): void;
    /** A part of a signed delivery answered 200 but not stored (recorded in webhook_rejections). */
    rejected?(reason: string): void;
  };
}

/** Meta's limit is 3 MB per delivery; a little headroom for the envelope. */
export const MAX_BODY_BYTES = 3.5 * 1024 * 1024;
/** How many distinct phone number ids of an unsigned-by-the-cell body are tried for a tenant's own secret. */
const MAX_SECRET_CANDIDATES = 16;
const PHONE_NUMBER_ID = /"phone_number_id"\s*:\s*"([^"\\]{1,64})"/g;

/**
 * `GET /webhooks/whatsapp`: Meta's verification handshake. `POST /webhooks/whatsapp`: read at most MAX_BODY_BYTES,
 * verify the signature over the raw bytes before anything else (JSON parsing, tenant lookups), store every new
 * message with its job in one durable transaction, then answer 200. A signed delivery, or a part of one, that can
 * never be stored (unreadable, nested too deep, a bug of ours) is answered 200 and recorded as rejected, so Meta does
 * not redeliver it for days; only a failure that can pass (a full disk, a locked database) answers 500 for a retry.
 */
export function whatsappWebhook(deps: WhatsappWebhookDeps): Hono {
  const app = new Hono();
  const clock = deps.clock ?? Date.now;
  const channel = deps.channel ?? 'whatsapp';
  const accountName = channel === 'instagram' ? 'Instagram account id' : 'WhatsApp phone number id';

  app.get('/', (c) => {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token') ?? '';
    const challenge = c.req.query('hub.challenge') ?? '';
    if (mode === 'subscribe' && deps.verifyToken && sameText(token, deps.verifyToken)) return c.text(challenge, 200);
    deps.logger.warn({ mode: cut(mode ?? '', 40) }, 'webhook verification refused: hub.verify_token does not match WHATSAPP_VERIFY_TOKEN');
    return c.text('verify token mismatch: set the same Verify token in the Meta app and in WHATSAPP_VERIFY_TOKEN', 403);
  });

  app.post('/', async (c) => {
    const raw = await readBoundedBody(c.req.raw, MAX_BODY_BYTES);
    if (raw === null) {
      deps.logger.warn({ limitBytes: MAX_BODY_BYTES }, 'webhook body over the size limit refused with 413 (Meta sends at most 3 MB)');
      return c.json({ error: `payload too large: the limit is ${MAX_BODY_BYTES} bytes` }, 413, { connection: 'close' });
    }
    const signature = c.req.header('x-hub-signature-256');
    const secret = signingSecret(raw, signature);
    if (!secret) {
      deps.logger.warn({ hasSignature: Boolean(signature) }, 'webhook signature invalid: refused with 401; check WHATSAPP_APP_SECRET or the tenant\'s --whatsapp-app-secret');
      deps.events?.signatureFailure?.();
      return c.json({ error: 'invalid signature' }, 401);
    }
    const bodySha256 = createHash('sha256').update(raw).digest('hex');
    const reject = (tenantId: number | null, part: RejectedPart, kind: string) => {
      deps.accounts.recordRejection({ tenantId, channel, path: part.path, reason: part.reason, providerMessageId: part.providerMessageId, bodySha256, bodyBytes: raw.byteLength, now: clock() });
      deps.logger.warn({ tenantId, path: cut(part.path, 200), reason: cut(part.reason, 300), wamid: part.providerMessageId, bodySha256 }, `signed webhook part could not be stored (${kind}): answered 200 and recorded in webhook_rejections`);
      deps.events?.rejected?.(kind);
    };

    let batches: AccountBatch[];
    try {
      batches = deps.receiver.parse(JSON.parse(new TextDecoder().decode(raw)) as unknown);
    } catch (err) {
      // JSON.parse's message may quote the body (a customer's words): only where it broke is kept.
      const position = /at position \d+/.exec((err as Error).message)?.[0];
      const problem = err instanceof WebhookPayloadError ? err.message : `the body is not valid JSON: ${(err as Error).name}${position ? ` ${position}` : ''}`;
      return storeOrRetry(() => reject(null, { path: 'body', reason: problem, providerMessageId: null }, 'malformed'));
    }

    const verified: VerifiedBatch[] = [];
    const rejections: Array<[number | null, RejectedPart]> = [];
    for (const batch of batches) {
      const account = batch.accountExternalId === UNROUTED ? null : deps.accounts.findAccount(channel, batch.accountExternalId);
      if (!account) {
        if (batch.accountExternalId !== UNROUTED) {
          deps.logger.warn({ phoneNumberId: cut(batch.accountExternalId, 64), messages: batch.messages.length }, `webhook for an unknown ${accountName}: acknowledged and dropped; ${channel === 'instagram' ? 'connect it with botctl tenant update <slug> --instagram-account-id' : 'add the tenant with botctl tenant add or fix its --whatsapp-phone-number-id'}`);
          deps.events?.unknownAccount?.(batch.accountExternalId);
        }
        for (const part of batch.rejected) rejections.push([null, part]);
      } else if ((account.appSecret ?? deps.cellAppSecret) !== secret) {
        deps.logger.warn({ tenant: account.tenantSlug }, 'webhook part signed with another app\'s secret: dropped; check the tenant\'s --whatsapp-app-secret');
      } else {
        for (const error of batch.errors) deps.logger.warn({ tenant: account.tenantSlug, code: error.code, title: cut(error.title, 200) }, 'WhatsApp reported an account error');
        for (const part of batch.rejected) rejections.push([account.tenantId, part]);
        verified.push({ account, batch });
      }
    }
    return storeOrRetry(async () => {
      for (const [tenantId, part] of rejections) reject(tenantId, part, 'unreadable');
      await acceptEach(verified, reject);
    });

    /** Runs `store`; answers 200, or 500 when storage failed in a way that can pass (Meta then delivers it again). */
    async function storeOrRetry(store: () => unknown): Promise<Response> {
      try {
        await store();
      } catch (err) {
        deps.logger.error({ err }, 'webhook could not be stored; answering 500 so Meta delivers it again');
        return c.json({ error: 'could not store the delivery; it will be retried' }, 500);
      }
      return c.json({ ok: true });
    }
  });

  /**
   * Stores the delivery in one transaction. When that fails for a reason that would fail again on every retry
   * (not a full disk or a lock), each message and status is stored alone, and the ones that still fail are
   * recorded as rejected: one bad message never costs the others, and Meta gets its 200.
   */
  async function acceptEach(verified: VerifiedBatch[], reject: (tenantId: number | null, part: RejectedPart, kind: string) => void): Promise<void> {
    try {
      await accept(verified);
      return;
    } catch (err) {
      if (isTransientStorageError(err)) throw err;
      deps.logger.warn({ err }, 'a webhook delivery could not be stored whole; storing its messages one by one');
    }
    for (const { account, batch } of verified) {
      const parts: Array<[AccountBatch, string, string | null]> = [
        ...batch.messages.map((m, i): [AccountBatch, string, string | null] => [{ ...batch, messages: [m], statuses: [], errors: [] }, `messages[${i}]`, m.providerMessageId]),
        ...batch.statuses.map((s, i): [AccountBatch, string, string | null] => [{ ...batch, messages: [], statuses: [s], errors: [] }, `statuses[${i}]`, s.providerMessageId]),
      ];
      for (const [single, path, id] of parts) {
        try {
          await accept([{ account, batch: single }]);
        } catch (err) {
          if (isTransientStorageError(err)) throw err;
          reject(account.tenantId, { path: `phone_number_id ${batch.accountExternalId} ${path}`, reason: `could not be stored: ${(err as Error).name}: ${cut((err as Error).message, 200)}`, providerMessageId: id }, 'unstorable');
        }
      }
    }
  }

  async function accept(verified: VerifiedBatch[]): Promise<void> {
    const result = await deps.intake.accept(verified);
    deps.events?.accepted?.(verified);
    if (result.stored + result.duplicates + result.statuses > 0) deps.logger.debug(result, 'webhook accepted');
  }

  /**
   * The secret that signed `raw`: the cell's, else the own secret of a tenant whose phone number id the raw text
   * names (found without parsing the JSON, so an unsigned body costs one HMAC per candidate and nothing more).
   */
  function signingSecret(raw: Uint8Array, signature: string | undefined): string | null {
    if (!signature) return null;
    if (deps.cellAppSecret !== null && deps.receiver.verifySignature(raw, signature, deps.cellAppSecret)) return deps.cellAppSecret;
    const ids = new Set<string>();
    for (const match of Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1').matchAll(PHONE_NUMBER_ID)) {
      ids.add(match[1]!);
      if (ids.size >= MAX_SECRET_CANDIDATES) break;
    }
    for (const id of ids) {
      const account: IntakeAccount | null = deps.accounts.findAccount(channel, id);
      if (account?.appSecret && deps.receiver.verifySignature(raw, signature, account.appSecret)) return account.appSecret;
    }
    return null;
  }

  return app;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
