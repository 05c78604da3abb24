import type { AccountBatch, InboundMessage } from '../channels/types.js';
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
  private readonly openedSecrets = new Map<string, string>();

  constructor(private readonly db: Db, private readonly secrets: SecretBox) {
    this.commits = new GroupCommit(db);
    this.statements = {
      account: db.prepare(`SELECT t.id AS tenantId, t.slug AS tenantSlug, t.status AS tenantStatus, c.id AS channelAccountId, c.app_secret_enc AS appSecretEnc
        FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.channel = ? AND c.external_id = ?`),
      exists: db.prepare('SELECT 1 FROM messages WHERE channel_account_id = ? AND provider_message_id = ?'),
      byUserId: db.prepare('SELECT id, phone, display_name AS name FROM contacts WHERE channel_account_id = ? AND user_id = ?'),
      byPhone: db.prepare('SELECT id, user_id AS userId, display_name AS name FROM contacts WHERE channel_account_id = ? AND provider_id = ?'),
      newContact: db.prepare(`INSERT INTO contacts (tenant_id, channel_account_id, provider_id, display_name, phone, user_id, metadata, created_at, updated_at)
        VALUES (@tenantId, @channelAccountId, @providerId, @name, @phone, @userId, json_object('last_seen_at', @now), @now, @now) RETURNING id`),
      seen: db.prepare(`UPDATE contacts SET display_name = coalesce(@name, display_name), metadata = json_set(metadata, '$.last_seen_at', @now),
        user_id = coalesce(user_id, @userId), updated_at = @now WHERE id = @id`),
      // A customer first known by user id only, whose phone number now appears: replies go to the number from now on.
      learnPhone: db.prepare('UPDATE contacts SET phone = @phone, provider_id = @phone, updated_at = @now WHERE id = @id'),
      setUserId: db.prepare('UPDATE contacts SET user_id = @userId, updated_at = @now WHERE id = @id'),
      target: db.prepare(`SELECT id, outcome, body FROM messages WHERE channel_account_id = ? AND provider_message_id = ? AND direction = 'inbound'`),
      edit: db.prepare(`UPDATE messages SET body = @body, payload = json_set(payload, '$.editedFrom', @previous, '$.editedAt', @now), updated_at = @now WHERE id = @id`),
      // A message deleted before it was answered is not answered (its turn would read what the customer took back).
      revoke: db.prepare(`UPDATE messages SET payload = json_set(payload, '$.deletedAt', @now), outcome = coalesce(outcome, 'ignored'), updated_at = @now WHERE id = @id`),
      rejection: db.prepare(`INSERT INTO webhook_rejections (tenant_id, channel, path, reason, provider_message_id, body_sha256, body_bytes, created_at)
        VALUES (@tenantId, @channel, @path, @reason, @providerMessageId, @bodySha256, @bodyBytes, @now)`),
      conversation: db.prepare(`INSERT INTO conversations (tenant_id, contact_id, state, state_changed_at, created_at, updated_at)
        VALUES (?, ?, 'bot', ?, ?, ?) ON CONFLICT (contact_id) DO NOTHING`),
      message: db.prepare(`INSERT INTO messages (tenant_id, channel_account_id, contact_id, direction, author_kind, type, body, payload,
          provider_message_id, delivery_status, outcome, trace_id, provider_timestamp, created_at, updated_at)
        VALUES (@tenantId, @channelAccountId, @contactId, 'inbound', 'customer', @type, @body, @payload, @providerMessageId, 'received',
          CASE WHEN @ignored = 1 THEN 'ignored' END, @traceId, @sentAt, @now, @now)
        ON CONFLICT (channel_account_id, provider_message_id) DO NOTHING RETURNING id`),
      outbound: db.prepare(`SELECT id, delivery_status AS status, trace_id AS traceId, author_kind AS authorKind FROM messages WHERE channel_account_id = ? AND provider_message_id = ? AND direction = 'outbound'`),
      status: db.prepare('UPDATE messages SET delivery_status = ?, delivery_error = coalesce(?, delivery_error), updated_at = ? WHERE id = ?'),
    };
  }

  findAccount(channel: 'whatsapp' | 'instagram' | 'telegram', externalId: string): IntakeAccount | null {
    const row = this.statements.account.get(channel, externalId) as { tenantId: number; tenantSlug: string; tenantStatus: 'active' | 'disabled'; channelAccountId: number; appSecretEnc: Buffer | null } | undefined;
    if (!row) return null;
    const appSecret = row.appSecretEnc ? this.openSecret(row.appSecretEnc, row.tenantSlug) : null;
    return { tenantId: row.tenantId, tenantSlug: row.tenantSlug, tenantStatus: row.tenantStatus, channelAccountId: row.channelAccountId, appSecret };
  }

  /** Decrypts once per sealed value (a changed secret is a new value), so webhooks do not pay a decryption each. */
  private openSecret(sealed: Buffer, slug: string): string {
    const key = `${slug}\0${sealed.toString('base64')}`;
    let secret = this.openedSecrets.get(key);
    if (secret === undefined) {
      secret = this.secrets.open(sealed, SECRET_CONTEXT.whatsappAppSecret(slug), `the WhatsApp app secret of tenant ${slug}`);
      registerTenantSecret(secret);
      if (this.openedSecrets.size >= 1000) this.openedSecrets.clear();
      this.openedSecrets.set(key, secret);
    }
    return secret;
  }

  durableTransaction<T>(fn: () => T): Promise<T> {
    return this.commits.run(fn);
  }

  storeInbound(account: IntakeAccount, message: InboundMessage, traceId: string, now: number, options: { ignored?: boolean } = {}): StoredInboundIds | null {
    if (this.statements.exists.get(account.channelAccountId, message.providerMessageId)) return null;
    const { id: contactId, changed: contactChanged } = this.contactOf(account, message, now);
    const conversationStarted = this.statements.conversation.run(account.tenantId, contactId, now, now, now).changes === 1;
    const payload = { media: message.media, replyTo: message.replyTo, forwarded: message.forwarded, reaction: message.reaction, ...(message.target !== undefined && { target: message.target }), ...(message.system !== undefined && { system: message.system }), raw: message.raw };
    const inserted = this.statements.message.get({
      tenantId: account.tenantId, channelAccountId: account.channelAccountId, contactId, type: message.kind, body: message.text,
      payload: JSON.stringify(payload),
      providerMessageId: message.providerMessageId, traceId, sentAt: message.sentAt, now, ignored: account.tenantStatus === 'disabled' || options.ignored ? 1 : 0,
    }) as { id: number } | undefined;
    return inserted ? { messageId: inserted.id, contactId, conversationStarted, contactChanged } : null;
  }

  /**
   * The contact of whoever sent `message`: by user id first (it survives a hidden number), then by phone number;
   * `changed` when a known contact's profile name changed.
   */
  private contactOf(account: IntakeAccount, message: InboundMessage, now: number): { id: number; changed: boolean } {
    const s = this.statements;
    const byUser = message.userId ? (s.byUserId.get(account.channelAccountId, message.userId) as { id: number; phone: string | null; name: string | null } | undefined) : undefined;
    const byPhone = message.phone ? (s.byPhone.get(account.channelAccountId, message.phone) as { id: number; userId: string | null; name: string | null } | undefined) : undefined;
    const renamed = (known: { name: string | null }) => message.profileName !== null && message.profileName !== known.name;
    if (byUser) {
      // The number appears for a customer known by user id only: learn it, unless another contact already has it
      // (then the user id's contact stays the one, see docs/decisions/0022).
      if (message.phone && byUser.phone === null && !byPhone) s.learnPhone.run({ id: byUser.id, phone: message.phone, now });
      s.seen.run({ id: byUser.id, name: message.profileName, userId: null, now });
      return { id: byUser.id, changed: renamed(byUser) };
    }
    if (byPhone) {
      s.seen.run({ id: byPhone.id, name: message.profileName, userId: message.userId, now });
      return { id: byPhone.id, changed: renamed(byPhone) };
    }
    const created = s.newContact.get({
      tenantId: account.tenantId, channelAccountId: account.channelAccountId, providerId: message.phone ?? message.userId ?? message.from,
      name: message.profileName, phone: message.phone, userId: message.userId, now,
    }) as { id: number };
    return { id: created.id, changed: false };
  }

  applyEdit(account: IntakeAccount, target: string, text: string | null, now: number): 'pending' | 'handled' | 'missing' {
    const row = this.statements.target.get(account.channelAccountId, target) as { id: number; outcome: string | null; body: string | null } | undefined;
    if (!row) return 'missing';
    this.statements.edit.run({ id: row.id, body: text, previous: row.body, now });
    return row.outcome === null ? 'pending' : 'handled';
  }

  applyRevoke(account: IntakeAccount, target: string, now: number): void {
    const row = this.statements.target.get(account.channelAccountId, target) as { id: number } | undefined;
    if (row) this.statements.revoke.run({ id: row.id, now });
  }

  applyIdentityChange(account: IntakeAccount, message: InboundMessage, now: number): void {
    const contactId = this.contactOf(account, message, now).id;
    const newPhone = message.system?.newPhone;
    const newUserId = message.system?.newUserId;
    if (newPhone && /^\d{5,20}$/.test(newPhone) && !this.statements.byPhone.get(account.channelAccountId, newPhone)) {
      this.statements.learnPhone.run({ id: contactId, phone: newPhone, now });
    }
    if (newUserId && !this.statements.byUserId.get(account.channelAccountId, newUserId)) this.statements.setUserId.run({ id: contactId, userId: newUserId, now });
  }

  recordRejection(r: { tenantId: number | null; channel: string; path: string; reason: string; providerMessageId: string | null; bodySha256: string; bodyBytes: number; now: number }): void {
    this.statements.rejection.run({ ...r, path: r.path.slice(0, 500), reason: r.reason.slice(0, 1000), providerMessageId: r.providerMessageId?.slice(0, 256) ?? null });
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
