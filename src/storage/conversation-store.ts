import type { HistoryLine } from '../brain/context.js';
import { handoverStatusOf, nextState, type OwnerState } from '../conversation/ownership.js';
import type { Actor, ConversationStore, HandoverState, OutboundDraft, StoredInbound, TurnData } from '../conversation/ports.js';
import type { InboundKind } from '../channels/types.js';
import type { Locale } from '../tenants/settings.js';
import type { TextOverrides } from '../texts/texts.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

const HISTORY_LIMIT = 12;

/** SQL behind the conversation core: turns, outbound messages, handovers and ownership transitions. */
export class SqlConversationStore implements ConversationStore {
  constructor(private readonly db: Db, private readonly clock: () => number = Date.now) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  loadTurn(contactId: number): TurnData | null {
    const row = prepareCached(this.db, `
      SELECT c.id AS contactId, c.provider_id AS providerId, c.display_name AS displayName, c.locale AS contactLocale,
             json_extract(c.metadata, '$.summary') AS memory, c.channel_account_id AS channelAccountId,
             t.id AS tenantId, t.slug, t.name, t.status, t.locale, t.timezone, t.llm_calls_per_hour AS llmCallsPerHour,
             t.voice_transcription AS voiceTranscription, t.texts, t.business_hours AS businessHours,
             (SELECT body FROM prompts p WHERE p.tenant_id = t.id AND p.version = t.prompt_version) AS prompt,
             v.id AS conversationId, v.state, v.handover_id AS handoverId, v.notice_sent_at AS noticeSentAt
      FROM contacts c JOIN tenants t ON t.id = c.tenant_id JOIN conversations v ON v.contact_id = c.id
      WHERE c.id = ?`).get(contactId) as Record<string, unknown> | undefined;
    if (!row) return null;
    const pending = (prepareCached(this.db, `SELECT id, type AS kind, body, provider_message_id AS providerMessageId,
        json_extract(payload, '$.media') AS media, trace_id AS traceId
      FROM messages WHERE contact_id = ? AND direction = 'inbound' AND outcome IS NULL ORDER BY id`).all(contactId) as (Omit<StoredInbound, 'media'> & { media: string | null })[])
      .map((m) => ({ ...m, kind: m.kind as InboundKind, media: m.media ? (JSON.parse(m.media) as { id: string; mimeType: string }) : null }));
    const firstPending = pending[0]?.id ?? Number.MAX_SAFE_INTEGER;
    const history = (prepareCached(this.db, `SELECT author_kind AS author, body AS text FROM messages
        WHERE contact_id = ? AND id < ? AND body IS NOT NULL AND delivery_status <> 'failed' ORDER BY id DESC LIMIT ?`)
      .all(contactId, firstPending, HISTORY_LIMIT) as { author: string; text: string }[])
      .reverse()
      .map((l): HistoryLine => ({ author: l.author === 'customer' ? 'customer' : l.author === 'manager' ? 'manager' : 'bot', text: l.text }));
    return {
      tenant: {
        id: row.tenantId as number, slug: row.slug as string, name: row.name as string, status: row.status as 'active' | 'disabled',
        locale: row.locale as Locale, timezone: row.timezone as string, prompt: (row.prompt as string | null) ?? '',
        llmCallsPerHour: row.llmCallsPerHour as number, voiceTranscription: row.voiceTranscription === 1,
        texts: row.texts ? (JSON.parse(row.texts as string) as TextOverrides) : null, channelAccountId: row.channelAccountId as number,
        businessHours: row.businessHours as string | null,
      },
      contact: { id: contactId, providerId: row.providerId as string, displayName: row.displayName as string | null, locale: row.contactLocale as Locale | null, memory: row.memory as string | null },
      conversation: { id: row.conversationId as number, state: row.state as OwnerState, handoverId: row.handoverId as number | null, noticeSentAt: row.noticeSentAt as number | null },
      pending,
      history,
    };
  }

  llmCallsSince(contactId: number, since: number): number {
    return (prepareCached(this.db, "SELECT count(*) AS n FROM llm_calls WHERE contact_id = ? AND at >= ? AND purpose = 'reply'").get(contactId, since) as { n: number }).n;
  }

  recordLlmCall(call: { tenantId: number; contactId: number; purpose: string; at: number; durationMs: number; outcome: 'ok' | 'error' | 'timeout'; error: string | null }): void {
    prepareCached(this.db, 'INSERT INTO llm_calls (tenant_id, contact_id, purpose, at, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(call.tenantId, call.contactId, call.purpose, call.at, call.durationMs, call.outcome, call.error);
  }

  markOutcome(messageIds: readonly number[], outcome: 'replied' | 'escalated' | 'relayed' | 'ignored'): void {
    const stmt = prepareCached(this.db, 'UPDATE messages SET outcome = ?, updated_at = ? WHERE id = ? AND outcome IS NULL');
    const now = this.clock();
    for (const id of messageIds) stmt.run(outcome, now, id);
  }

  setContactLocale(contactId: number, locale: Locale): void {
    prepareCached(this.db, 'UPDATE contacts SET locale = ?, updated_at = ? WHERE id = ?').run(locale, this.clock(), contactId);
  }

  insertOutbound(draft: OutboundDraft): number {
    const now = this.clock();
    return Number(prepareCached(this.db, `INSERT INTO messages (tenant_id, channel_account_id, contact_id, handover_id, direction, author_kind, author_id,
        author_name, type, body, payload, delivery_status, trace_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`)
      .run(draft.tenantId, draft.channelAccountId, draft.contactId, draft.handoverId, draft.authorKind, draft.authorId ?? null, draft.authorName ?? null,
        draft.type ?? 'text', draft.body, JSON.stringify({ ...(draft.media ? { media: draft.media } : {}), ...(draft.template ? { template: draft.template } : {}) }), draft.traceId, now, now).lastInsertRowid);
  }

  openHandover(input: { tenantId: number; conversationId: number; contactId: number; reason: string; summary: string | null; actor: Actor; now: number; cause?: string | null; question?: string | null }): { handoverId: number; number: number } {
    const conversation = prepareCached(this.db, 'SELECT state FROM conversations WHERE id = ? AND tenant_id = ?').get(input.conversationId, input.tenantId) as { state: OwnerState } | undefined;
    if (!conversation) throw new Error(`conversation ${input.conversationId} of tenant ${input.tenantId} does not exist`);
    const to = nextState(conversation.state, 'escalate');
    const number = (prepareCached(this.db, 'SELECT coalesce(max(number), 0) + 1 AS n FROM handovers WHERE tenant_id = ?').get(input.tenantId) as { n: number }).n;
    const handoverId = Number(prepareCached(this.db, `INSERT INTO handovers (tenant_id, conversation_id, contact_id, number, status, reason, summary, cause, question, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(input.tenantId, input.conversationId, input.contactId, number, handoverStatusOf(to), input.reason, input.summary,
        input.cause ?? null, input.question ?? null, input.now, input.now).lastInsertRowid);
    prepareCached(this.db, 'UPDATE conversations SET state = ?, handover_id = ?, state_changed_at = ?, notice_sent_at = NULL, updated_at = ? WHERE id = ?')
      .run(to, handoverId, input.now, input.now, input.conversationId);
    this.recordEvent(input.tenantId, handoverId, 'created', conversation.state, to, input.actor, input.reason, input.now);
    return { handoverId, number };
  }

  transition(input: { conversationId: number; event: 'escalate' | 'take' | 'release' | 'reassign' | 'resolve'; actor: Actor; reason: string | null; now: number }): { from: OwnerState; to: OwnerState; handoverId: number } {
    const row = prepareCached(this.db, 'SELECT tenant_id AS tenantId, state, handover_id AS handoverId FROM conversations WHERE id = ?').get(input.conversationId) as { tenantId: number; state: OwnerState; handoverId: number | null } | undefined;
    if (!row || row.handoverId === null) throw new Error(`conversation ${input.conversationId} has no open handover`);
    const to = nextState(row.state, input.event);
    const status = handoverStatusOf(to);
    const h = input.actor;
    if (input.event === 'take' || input.event === 'reassign') {
      prepareCached(this.db, 'UPDATE handovers SET status = ?, assigned_to_id = ?, assigned_to_name = ?, taken_at = coalesce(taken_at, ?), updated_at = ? WHERE id = ?')
        .run(status, h.id, h.name, input.now, input.now, row.handoverId);
    } else if (input.event === 'release') {
      // Back in the queue: the untaken reminders start over.
      prepareCached(this.db, 'UPDATE handovers SET status = ?, assigned_to_id = NULL, assigned_to_name = NULL, reminders_sent = 0, updated_at = ? WHERE id = ?').run(status, input.now, row.handoverId);
    } else if (input.event === 'resolve') {
      prepareCached(this.db, 'UPDATE handovers SET status = ?, resolved_by_id = ?, resolved_by_name = ?, resolved_at = ?, updated_at = ? WHERE id = ?')
        .run(status, h.id, h.name, input.now, input.now, row.handoverId);
    }
    prepareCached(this.db, `UPDATE conversations SET state = ?, handover_id = CASE WHEN ? = 'bot' THEN NULL ELSE handover_id END,
      state_changed_at = ?, updated_at = ? WHERE id = ?`).run(to, to, input.now, input.now, input.conversationId);
    const event = input.event === 'take' ? 'taken' : input.event === 'release' ? 'released' : input.event === 'reassign' ? 'reassigned' : input.event === 'resolve' ? 'resolved' : 'created';
    this.recordEvent(row.tenantId, row.handoverId, event, row.state, to, h, input.reason, input.now);
    return { from: row.state, to, handoverId: row.handoverId };
  }

  setNoticeSentAt(conversationId: number, at: number): void {
    prepareCached(this.db, 'UPDATE conversations SET notice_sent_at = ?, updated_at = ? WHERE id = ?').run(at, at, conversationId);
  }

  handover(handoverId: number): HandoverState | null {
    const row = prepareCached(this.db, `SELECT h.id, h.tenant_id AS tenantId, t.name AS tenantName, t.locale AS tenantLocale, t.texts,
        c.channel_account_id AS channelAccountId, h.conversation_id AS conversationId, h.contact_id AS contactId, c.locale AS contactLocale,
        h.number, h.status, h.created_at AS createdAt, h.assigned_to_id AS assignedToId, h.assigned_to_name AS assignedToName,
        h.taken_at AS takenAt, h.first_response_at AS firstResponseAt, (v.handover_id IS h.id) AS current
      FROM handovers h JOIN tenants t ON t.id = h.tenant_id JOIN contacts c ON c.id = h.contact_id JOIN conversations v ON v.id = h.conversation_id
      WHERE h.id = ?`).get(handoverId) as (Omit<HandoverState, 'texts' | 'current'> & { texts: string | null; current: number }) | undefined;
    if (!row) return null;
    return { ...row, texts: row.texts ? (JSON.parse(row.texts) as TextOverrides) : null, current: row.current === 1 };
  }

  setFirstResponse(handoverId: number, at: number): void {
    prepareCached(this.db, 'UPDATE handovers SET first_response_at = coalesce(first_response_at, ?), updated_at = ? WHERE id = ?').run(at, at, handoverId);
  }

  private recordEvent(tenantId: number, handoverId: number, event: string, from: OwnerState, to: OwnerState, actor: Actor, reason: string | null, at: number): void {
    prepareCached(this.db, `INSERT INTO handover_events (tenant_id, handover_id, event, from_state, to_state, actor_kind, actor_id, actor_name, reason, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(tenantId, handoverId, event, from, to, actor.kind, actor.id, actor.name, reason, at);
  }
}
