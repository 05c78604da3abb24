import type { AccountBatch } from '../channels/types.js';
import type { IntakeAccount, IntakeStore, StoredInboundIds } from '../conversation/ports.js';
import type { SecretBox } from '../security/secret-box.js';
import { SECRET_CONTEXT } from '../tenants/tenant-service.js';
import { registerTenantSecret } from '../observability/redact.js';
import { GroupCommit } from './group-commit.js';
import type { Db } from './open-db.js';

/** Delivery states in the order they happen; a late "delivered" never overwrites "read". */
const STATUS_RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** SQL of the webhook intake: resolve the account, store contacts and messages, apply delivery statuses. */
export class SqlIntakeStore implements IntakeStore {
  private readonly statements;
  private readonly commits: GroupCommit;

  constructor(private readonly db: Db, private readonly secrets: SecretBox) {
    this.commits = new GroupCommit(db);
    this.statements = {
      account: db.prepare(`SELECT t.id AS tenantId, t.slug AS tenantSlug, t.status AS tenantStatus, c.id AS channelAccountId, c.app_secret_enc AS appSecretEnc
        FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.channel = ? AND c.external_id = ?`),
      exists: db.prepare('SELECT 1 FROM messages WHERE channel_account_id = ? AND provider_message_id = ?'),
      contactName: db.prepare('SELECT display_name AS name FROM contacts WHERE channel_account_id = ? AND provider_id = ?'),
      contact: db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, phone, metadata, created_at, updated_at)
        VALUES (@tenantId, @channelAccountId, @providerId, @name, @phone, json_object('last_seen_at', @now), @now, @now)
        ON CONFLICT (channel_account_id, provider_id) DO UPDATE SET display_name = coalesce(excluded.display_name, contacts.display_name),
          metadata = json_set(contacts.metadata, '$.last_seen_at', @now), updated_at = @now
        RETURNING id`),
      conversation: db.prepare(`INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at)
        VALUES (?, ?, 'bot', ?, ?, ?) ON CONFLICT (contact_id) DO NOTHING`),
      message: db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, payload,
          provider_message_id, delivery_status, outcome, trace_id, provider_timestamp, created_at, updated_at)
        VALUES (@tenantId, @channelAccountId, @contactId, 'inbound', 'customer', @type, @body, @payload, @providerMessageId, 'received',
          CASE WHEN @disabled = 1 THEN 'ignored' END, @traceId, @sentAt, @now, @now)
        ON CONFLICT (channel_account_id, provider_message_id) DO NOTHING RETURNING id`),
      outbound: db.prepare(`SELECT id, delivery_status AS status, trace_id AS traceId, author_kind AS authorKind FROM messages WHERE channel_account_id = ? AND provider_message_id = ? AND direction = 'outbound'`),
      status: db.prepare('UPDATE messages SET delivery_status = ?, delivery_error = coalesce(?, delivery_error), updated_at = ? WHERE id = ?'),
    };
  }

  findAccount(channel: 'whatsapp', externalId: string): IntakeAccount | null {
    const row = this.statements.account.get(channel, externalId) as { tenantId: number; tenantSlug: string; tenantStatus: 'active' | 'disabled'; channelAccountId: number; appSecretEnc: Buffer | null } | undefined;
    if (!row) return null;
    const appSecret = row.appSecretEnc ? this.secrets.open(row.appSecretEnc, SECRET_CONTEXT.whatsappAppSecret(row.tenantSlug), `the WhatsApp app secret of tenant ${row.tenantSlug}`) : null;
    registerTenantSecret(appSecret);
    return { tenantId: row.tenantId, tenantSlug: row.tenantSlug, tenantStatus: row.tenantStatus, channelAccountId: row.channelAccountId, appSecret };
  }

  durableTransaction<T>(fn: () => T): Promise<T> {
    return this.commits.run(fn);
  }

  storeInbound(account: IntakeAccount, message: AccountBatch['messages'][number], traceId: string, now: number): StoredInboundIds | null {
    if (this.statements.exists.get(account.channelAccountId, message.providerMessageId)) return null;
    const before = this.statements.contactName.get(account.channelAccountId, message.from) as { name: string | null } | undefined;
    const contact = this.statements.contact.get({
      tenantId: account.tenantId, channelAccountId: account.channelAccountId, providerId: message.from, name: message.profileName, phone: message.from, now,
    }) as { id: number };
    const conversationStarted = this.statements.conversation.run(account.tenantId, contact.id, now, now, now).changes === 1;
    const inserted = this.statements.message.get({
      tenantId: account.tenantId, channelAccountId: account.channelAccountId, contactId: contact.id, type: message.kind, body: message.text,
      payload: JSON.stringify({ media: message.media, replyTo: message.replyTo, forwarded: message.forwarded, reaction: message.reaction, raw: message.raw }),
      providerMessageId: message.providerMessageId, traceId, sentAt: message.sentAt, now, disabled: account.tenantStatus === 'disabled' ? 1 : 0,
    }) as { id: number } | undefined;
    const contactChanged = before !== undefined && message.profileName !== null && message.profileName !== before.name;
    return inserted ? { messageId: inserted.id, contactId: contact.id, conversationStarted, contactChanged } : null;
  }

  applyStatus(account: IntakeAccount, status: AccountBatch['statuses'][number], now: number): { messageId: number; traceId: string; authorKind: string; changed: boolean } | null {
    const row = this.statements.outbound.get(account.channelAccountId, status.providerMessageId) as { id: number; status: string; traceId: string; authorKind: string } | undefined;
    if (!row) return null;
    const current = STATUS_RANK[row.status] ?? 0;
    const next = STATUS_RANK[status.status] ?? 0;
    // "failed" after "read" cannot happen; anything else only moves forward, whatever order Meta delivers it in.
    const changed = next > current && !(status.status === 'failed' && row.status === 'read');
    if (changed) {
      const error = status.error ? `${status.error.code} ${status.error.title}${status.error.detail ? `: ${status.error.detail}` : ''}` : null;
      this.statements.status.run(status.status, error, now, row.id);
    }
    return { messageId: row.id, traceId: row.traceId, authorKind: row.authorKind, changed };
  }
}
