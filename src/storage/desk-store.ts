import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface DeskTenant {
  id: number;
  slug: string;
  name: string;
  locale: string;
  timezone: string;
  status: 'active' | 'disabled';
  chatId: number | null;
  ownerChatId: number | null;
  isForum: boolean | null;
  telegramStatus: 'ok' | 'removed' | 'forbidden';
  businessHours: string | null;
  remindAfterMs: number;
  remindEveryMs: number;
  remindMax: number;
  replyTimeoutMs: number;
}

export interface DeskHandover {
  id: number;
  tenantId: number;
  conversationId: number;
  contactId: number;
  number: number;
  status: 'waiting' | 'taken' | 'resolved';
  reason: string;
  summary: string | null;
  createdAt: number;
  assignedToId: number | null;
  assignedToName: string | null;
  takenAt: number | null;
  firstResponseAt: number | null;
  resolvedById: number | null;
  resolvedByName: string | null;
  resolvedAt: number | null;
  chatId: number | null;
  cardMessageId: number | null;
  threadId: number | null;
  remindersSent: number;
  customerName: string | null;
  /** The customer's address on the channel: phone digits (WhatsApp), a WhatsApp user id, an IGSID, a Telegram chat id. */
  customerPhone: string;
  /** The channel the customer writes on (absent in rows built before channels: WhatsApp). */
  channel?: 'whatsapp' | 'instagram' | 'telegram';
  /** The customer's handle on the channel (Instagram or Telegram username), when known. */
  customerHandle?: string | null;
}

export interface TranscriptLine {
  author: 'customer' | 'bot' | 'manager' | 'system';
  text: string;
  at: number;
}

const TENANT = `SELECT id, slug, name, locale, timezone, status, telegram_chat_id AS chatId, owner_chat_id AS ownerChatId,
  telegram_is_forum AS isForum, telegram_status AS telegramStatus, business_hours AS businessHours, remind_after_ms AS remindAfterMs,
  remind_every_ms AS remindEveryMs, remind_max AS remindMax, reply_timeout_ms AS replyTimeoutMs FROM tenants`;

const HANDOVER = `SELECT h.id, h.tenant_id AS tenantId, h.conversation_id AS conversationId, h.contact_id AS contactId, h.number, h.status,
  h.reason, h.summary, h.created_at AS createdAt, h.assigned_to_id AS assignedToId, h.assigned_to_name AS assignedToName,
  h.taken_at AS takenAt, h.first_response_at AS firstResponseAt, h.resolved_by_id AS resolvedById, h.resolved_by_name AS resolvedByName,
  h.resolved_at AS resolvedAt, h.telegram_chat_id AS chatId, h.telegram_message_id AS cardMessageId, h.telegram_thread_id AS threadId,
  h.reminders_sent AS remindersSent, c.display_name AS customerName, c.provider_id AS customerPhone,
  (SELECT a.channel FROM channel_accounts a WHERE a.id = c.channel_account_id) AS channel, c.handle AS customerHandle
  FROM handovers h JOIN contacts c ON c.id = h.contact_id`;

function tenantRow(row: unknown): DeskTenant | null {
  if (!row) return null;
  const r = row as Omit<DeskTenant, 'isForum'> & { isForum: number | null };
  return { ...r, isForum: r.isForum === null ? null : r.isForum === 1 };
}

/** SQL of the managers' desk: where handovers live in Telegram, groups, reminders, lists and stats. */
export class DeskStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  tenant(tenantId: number): DeskTenant | null {
    return tenantRow(prepareCached(this.db, `${TENANT} WHERE id = ?`).get(tenantId));
  }

  tenantByChat(chatId: number): DeskTenant | null {
    return tenantRow(prepareCached(this.db, `${TENANT} WHERE telegram_chat_id = ?`).get(chatId));
  }

  handover(handoverId: number): DeskHandover | null {
    return (prepareCached(this.db, `${HANDOVER} WHERE h.id = ?`).get(handoverId) as DeskHandover | undefined) ?? null;
  }

  /** The handover a Telegram message belongs to: a reply to one of our messages, or a message in its topic. */
  handoverForMessage(chatId: number, replyToMessageId: number | null, threadId: number | null): DeskHandover | null {
    if (replyToMessageId !== null) {
      const row = prepareCached(this.db, 'SELECT handover_id AS id FROM desk_messages WHERE chat_id = ? AND telegram_message_id = ?').get(chatId, replyToMessageId) as { id: number | null } | undefined;
      if (row?.id) return this.handover(row.id);
    }
    if (threadId !== null) {
      const row = prepareCached(this.db, 'SELECT id FROM handovers WHERE telegram_chat_id = ? AND telegram_thread_id = ? ORDER BY id DESC LIMIT 1').get(chatId, threadId) as { id: number } | undefined;
      if (row) return this.handover(row.id);
    }
    return null;
  }

  transcript(contactId: number, limit: number): TranscriptLine[] {
    return (prepareCached(this.db, `SELECT author_kind AS author, coalesce(body, '[' || type || ']') AS text, created_at AS at FROM messages
      WHERE contact_id = ? ORDER BY id DESC LIMIT ?`).all(contactId, limit) as TranscriptLine[]).reverse();
  }

  setThread(handoverId: number, chatId: number, threadId: number): void {
    prepareCached(this.db, 'UPDATE handovers SET telegram_chat_id = ?, telegram_thread_id = ? WHERE id = ?').run(chatId, threadId, handoverId);
  }

  recordCard(handoverId: number, chatId: number, messageId: number, threadId: number | null, now: number): void {
    const h = this.handover(handoverId)!;
    prepareCached(this.db, 'UPDATE handovers SET telegram_chat_id = ?, telegram_message_id = ?, telegram_thread_id = ?, updated_at = ? WHERE id = ?')
      .run(chatId, messageId, threadId, now, handoverId);
    this.recordDeskMessage({ tenantId: h.tenantId, handoverId, chatId, telegramMessageId: messageId, threadId, kind: 'card', messageId: null, now });
  }

  recordDeskMessage(m: { tenantId: number; handoverId: number | null; chatId: number; telegramMessageId: number; threadId: number | null; kind: string; messageId: number | null; now: number }): void {
    prepareCached(this.db, `INSERT INTO desk_messages (tenant_id, handover_id, chat_id, telegram_message_id, thread_id, kind, message_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, telegram_message_id) DO NOTHING`)
      .run(m.tenantId, m.handoverId, m.chatId, m.telegramMessageId, m.threadId, m.kind, m.messageId, m.now);
  }

  deskMessageFor(messageId: number, kind: string): { chatId: number; telegramMessageId: number; threadId: number | null } | null {
    return (prepareCached(this.db, 'SELECT chat_id AS chatId, telegram_message_id AS telegramMessageId, thread_id AS threadId FROM desk_messages WHERE message_id = ? AND kind = ? ORDER BY id DESC LIMIT 1')
      .get(messageId, kind) as { chatId: number; telegramMessageId: number; threadId: number | null } | undefined) ?? null;
  }

  setForum(tenantId: number, isForum: boolean): void {
    prepareCached(this.db, 'UPDATE tenants SET telegram_is_forum = ? WHERE id = ?').run(isForum ? 1 : 0, tenantId);
  }

  /** Returns true when the status changed (so on-call is alerted once, not on every failed send). */
  setTelegramStatus(tenantId: number, status: 'ok' | 'removed' | 'forbidden', detail: string | null, now: number): boolean {
    return prepareCached(this.db, 'UPDATE tenants SET telegram_status = ?, telegram_status_detail = ?, updated_at = ? WHERE id = ? AND telegram_status <> ?')
      .run(status, detail, now, tenantId, status).changes === 1;
  }

  /** A group upgraded to a supergroup changes id; every place that stored the old one follows. */
  migrateChat(oldChatId: number, newChatId: number, now: number): void {
    prepareCached(this.db, 'UPDATE tenants SET telegram_chat_id = ?, telegram_is_forum = NULL, updated_at = ? WHERE telegram_chat_id = ?').run(newChatId, now, oldChatId);
    prepareCached(this.db, 'UPDATE handovers SET telegram_chat_id = ?, telegram_message_id = NULL, telegram_thread_id = NULL WHERE telegram_chat_id = ? AND status <> \'resolved\'').run(newChatId, oldChatId);
  }

  updateHandled(updateId: number): boolean {
    return prepareCached(this.db, 'SELECT 1 FROM telegram_updates WHERE update_id = ?').get(updateId) !== undefined;
  }

  /** Records an update as handled; false when it already was (a redelivery after a restart). */
  claimUpdate(updateId: number, now: number): boolean {
    return prepareCached(this.db, 'INSERT INTO telegram_updates (update_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(updateId, now).changes === 1;
  }

  pruneUpdates(before: number): number {
    return prepareCached(this.db, 'DELETE FROM telegram_updates WHERE at < ?').run(before).changes;
  }

  /** When the handover's conversation entered its current state (waiting since, or taken since). */
  stateSince(handoverId: number): number | null {
    const row = prepareCached(this.db, 'SELECT v.state_changed_at AS at FROM handovers h JOIN conversations v ON v.id = h.conversation_id AND v.handover_id = h.id WHERE h.id = ?').get(handoverId) as { at: number } | undefined;
    return row?.at ?? null;
  }

  setRemindersSent(handoverId: number, count: number): void {
    prepareCached(this.db, 'UPDATE handovers SET reminders_sent = ? WHERE id = ?').run(count, handoverId);
  }

  setEscalated(handoverId: number, now: number): void {
    prepareCached(this.db, 'UPDATE handovers SET escalated_at = ? WHERE id = ?').run(now, handoverId);
  }

  setFirstResponse(handoverId: number, now: number): void {
    prepareCached(this.db, 'UPDATE handovers SET first_response_at = coalesce(first_response_at, ?), updated_at = ? WHERE id = ?').run(now, now, handoverId);
  }

  openHandovers(tenantId: number, assigneeId: number | null = null): DeskHandover[] {
    return prepareCached(this.db, `${HANDOVER} WHERE h.tenant_id = ? AND h.status <> 'resolved' AND (? IS NULL OR h.assigned_to_id = ?) ORDER BY h.created_at`)
      .all(tenantId, assigneeId, assigneeId) as DeskHandover[];
  }

  statsSince(tenantId: number, since: number): { created: number; taken: number; resolved: number; waiting: number; avgTakeMs: number | null; avgResolveMs: number | null } {
    return prepareCached(this.db, `SELECT
        (SELECT count(*) FROM handovers WHERE tenant_id = @t AND created_at >= @s) AS created,
        (SELECT count(*) FROM handovers WHERE tenant_id = @t AND taken_at >= @s) AS taken,
        (SELECT count(*) FROM handovers WHERE tenant_id = @t AND resolved_at >= @s) AS resolved,
        (SELECT count(*) FROM handovers WHERE tenant_id = @t AND status = 'waiting') AS waiting,
        (SELECT avg(taken_at - created_at) FROM handovers WHERE tenant_id = @t AND taken_at >= @s) AS avgTakeMs,
        (SELECT avg(resolved_at - created_at) FROM handovers WHERE tenant_id = @t AND resolved_at >= @s) AS avgResolveMs`)
      .get({ t: tenantId, s: since }) as { created: number; taken: number; resolved: number; waiting: number; avgTakeMs: number | null; avgResolveMs: number | null };
  }

  /** An outbound message with its author, for delivery lines under a manager's message. */
  outbound(messageId: number): { id: number; tenantId: number; handoverId: number | null; authorKind: string; deliveryStatus: string; deliveryError: string | null } | null {
    return (prepareCached(this.db, `SELECT id, tenant_id AS tenantId, handover_id AS handoverId, author_kind AS authorKind, delivery_status AS deliveryStatus,
      delivery_error AS deliveryError FROM messages WHERE id = ? AND direction = 'outbound'`).get(messageId) as never) ?? null;
  }

  /** A customer's message as the relay shows it; `target` is the provider id an edit or a deletion refers to. */
  inbound(messageId: number): { id: number; tenantId: number; channelAccountId: number; type: string; body: string | null; target: string | null; media: { id: string; mimeType: string; filename?: string } | null } | null {
    const row = prepareCached(this.db, `SELECT id, tenant_id AS tenantId, channel_account_id AS channelAccountId, type, body, json_extract(payload, '$.target') AS target,
      json_extract(payload, '$.media') AS media FROM messages WHERE id = ? AND direction = 'inbound'`)
      .get(messageId) as { id: number; tenantId: number; channelAccountId: number; type: string; body: string | null; target: string | null; media: string | null } | undefined;
    return row ? { ...row, media: row.media ? JSON.parse(row.media) : null } : null;
  }

  /** The text of one of this contact's messages, by its provider id (what a deletion removed). */
  inboundBody(contactId: number, providerMessageId: string): string | null {
    const row = prepareCached(this.db, "SELECT body FROM messages WHERE contact_id = ? AND provider_message_id = ? AND direction = 'inbound'").get(contactId, providerMessageId) as { body: string | null } | undefined;
    return row?.body ?? null;
  }
}
