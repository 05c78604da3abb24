import type { HistoryLine, Retrieval, TurnContext } from '../brain/context.js';
import type { AccountBatch, ChannelCredentials, InboundKind } from '../channels/types.js';
import type { JobSpec } from '../jobs/types.js';
import type { Locale } from '../tenants/settings.js';
import type { TextOverrides } from '../texts/texts.js';
import type { OwnerState, OwnershipEvent } from './ownership.js';

/** The tenant as a turn needs it. */
export interface TurnTenant {
  id: number;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  locale: Locale;
  timezone: string;
  prompt: string;
  llmCallsPerHour: number;
  voiceTranscription: boolean;
  texts: TextOverrides | null;
  channelAccountId: number;
  /** Weekly opening hours (JSON of BusinessHours), or null when always open. */
  businessHours: string | null;
}

export interface StoredInbound {
  id: number;
  kind: InboundKind;
  body: string | null;
  providerMessageId: string | null;
  media: { id: string; mimeType: string } | null;
  traceId: string;
}

export interface TurnData {
  tenant: TurnTenant;
  contact: { id: number; providerId: string; displayName: string | null; locale: Locale | null; memory: string | null };
  conversation: { id: number; state: OwnerState; handoverId: number | null; noticeSentAt: number | null };
  /** Inbound messages not handled yet, oldest first. */
  pending: StoredInbound[];
  /** Recent conversation before the pending messages, oldest first. */
  history: HistoryLine[];
}

export interface OutboundDraft {
  tenantId: number;
  channelAccountId: number;
  contactId: number;
  handoverId: number | null;
  authorKind: 'bot' | 'manager' | 'system';
  authorId?: number | null;
  authorName?: string | null;
  body: string;
  traceId: string;
  /** 'text' unless it carries a file (a manager's photo or document); then `media` says where to fetch it. */
  type?: 'text' | 'image' | 'document' | 'template';
  media?: OutboundMedia;
  /** An approved WhatsApp template (type 'template'): sent outside the 24-hour window; `body` is what it says. */
  template?: OutboundTemplate;
}

/** A file to send that lives elsewhere until the send job fetches it (a Telegram file a manager posted). */
export interface OutboundMedia {
  source: 'telegram';
  fileId: string;
  filename: string;
  mimeType: string;
}

export interface Actor {
  kind: 'bot' | 'manager' | 'operator' | 'system';
  id: number | null;
  name: string | null;
}

/** Storage the conversation core needs; implemented in src/storage/conversation-store.ts. */
export interface ConversationStore {
  transaction<T>(fn: () => T): T;
  loadTurn(contactId: number): TurnData | null;
  llmCallsSince(contactId: number, since: number): number;
  recordLlmCall(call: { tenantId: number; contactId: number; purpose: string; at: number; durationMs: number; outcome: 'ok' | 'error' | 'timeout'; error: string | null }): void;
  markOutcome(messageIds: readonly number[], outcome: 'replied' | 'escalated' | 'relayed' | 'ignored'): void;
  setContactLocale(contactId: number, locale: Locale): void;
  insertOutbound(draft: OutboundDraft): number;
  /** Opens a handover for the conversation (state must be bot) and moves ownership to waiting. */
  openHandover(input: { tenantId: number; conversationId: number; contactId: number; reason: string; summary: string | null; actor: Actor; now: number;
    /** Why, as a code the owner's reasons and knowledge gaps group by (the brain's cause, `media`, `rate_cap`); the customer's text. */
    cause?: string | null; question?: string | null }): { handoverId: number; number: number };
  /** Applies an ownership event to the conversation's open handover, recording the transition. */
  transition(input: { conversationId: number; event: OwnershipEvent; actor: Actor; reason: string | null; now: number }): { from: OwnerState; to: OwnerState; handoverId: number };
  setNoticeSentAt(conversationId: number, at: number): void;
  /** A handover as the desk actions need it, or null when it does not exist (removed with its tenant). */
  handover(handoverId: number): HandoverState | null;
  setFirstResponse(handoverId: number, at: number): void;
}

export interface HandoverState {
  id: number;
  tenantId: number;
  tenantName: string;
  tenantLocale: Locale;
  texts: TextOverrides | null;
  channelAccountId: number;
  conversationId: number;
  contactId: number;
  contactLocale: Locale | null;
  number: number;
  status: 'waiting' | 'taken' | 'resolved';
  createdAt: number;
  assignedToId: number | null;
  assignedToName: string | null;
  takenAt: number | null;
  firstResponseAt: number | null;
  /** The conversation's current handover: only that one can change hands. */
  current: boolean;
}

/** What intake writes: contacts, messages and delivery statuses from one webhook delivery. */
export interface IntakeStore {
  /** The tenant owning a channel account, with its verifying secret, or null when the account is unknown. */
  findAccount(channel: 'whatsapp' | 'instagram' | 'telegram', externalId: string): IntakeAccount | null;
  /** Runs `fn` in a transaction whose commit is fsynced (deliveries arriving together share one commit). */
  durableTransaction<T>(fn: () => T): Promise<T>;
  /**
   * Stores a message unless its provider id is already stored; returns its ids, or null for a duplicate. The
   * contact is found by the customer's user id or phone number, whichever the message carries, and learns the
   * other one when it first appears. `ignored` stores it as needing no answer.
   */
  storeInbound(account: IntakeAccount, message: AccountBatch['messages'][number], traceId: string, now: number, options?: { ignored?: boolean }): StoredInboundIds | null;
  /**
   * The customer edited message `target`: its text becomes `text`. Returns 'pending' when the edited message was
   * not answered yet (its answer will read the new text), 'handled' when it was, 'missing' when it is unknown.
   */
  applyEdit(account: IntakeAccount, target: string, text: string | null, now: number): 'pending' | 'handled' | 'missing';
  /**
   * The customer deleted message `target` for everyone: it is marked deleted (its text stays for the managers'
   * record), and if it was not answered yet it never is.
   */
  applyRevoke(account: IntakeAccount, target: string, now: number): void;
  /** A system notice changed the customer's number or user id: the contact (found by `message`) takes the new one. */
  applyIdentityChange(account: IntakeAccount, message: AccountBatch['messages'][number], now: number): void;
  /** Keeps a part of a signed delivery that could not be stored, for support; `tenantId` null when no tenant matched. */
  recordRejection(rejection: { tenantId: number | null; channel: string; path: string; reason: string; providerMessageId: string | null; bodySha256: string; bodyBytes: number; now: number }): void;
  applyStatus(account: IntakeAccount, status: AccountBatch['statuses'][number], now: number): { messageId: number; traceId: string; authorKind: string; changed: boolean } | null;
}

export interface StoredInboundIds {
  messageId: number;
  contactId: number;
  /** The contact's conversation was created by this message (its first). */
  conversationStarted: boolean;
  /** An existing contact's profile name changed. */
  contactChanged: boolean;
}

export interface IntakeAccount {
  tenantId: number;
  tenantSlug: string;
  tenantStatus: 'active' | 'disabled';
  channelAccountId: number;
  /** The tenant's own app secret, or null to use the cell's. */
  appSecret: string | null;
}

export interface JobEnqueuer {
  enqueue(spec: JobSpec): number;
}

export interface KnowledgePort {
  /**
   * The knowledge a turn gets: all of it when it fits the tenant's budget, else retrieved for `query`. Never throws
   * for an embeddings failure (the retrieval falls back to words and says so); only for an aborted turn.
   */
  retrieve(tenantId: number, query: string, signal: AbortSignal): Promise<Retrieval>;
  findFaqAnswer(tenantId: number, question: string): string | null;
  /** Tokens of a turn's whole request in the chat model's tokenizer (for the trace and the cost figures). */
  promptTokens(context: TurnContext): number;
}

/** The customer's channel as the core uses it (credentials resolved per tenant by the adapter). */
/** The customer's channel, by the channel account the customer wrote to (WhatsApp, Instagram, a customer bot). */
export interface CustomerChannelPort {
  markRead(channelAccountId: number, providerMessageId: string, signal: AbortSignal): Promise<void>;
  fetchMedia(channelAccountId: number, mediaId: string, signal: AbortSignal): Promise<{ bytes: Buffer; mimeType: string }>;
}

export interface TraceEvent {
  tenantId: number | null;
  traceId: string;
  step: string;
  outcome?: 'ok' | 'error' | 'skipped' | 'vetoed';
  durationMs?: number | null;
  messageId?: number | null;
  jobId?: number | null;
  detail?: Record<string, unknown>;
  at?: number;
}

export interface Tracer {
  record(event: TraceEvent): void;
}

export type { ChannelCredentials };

/** An outbound message as the send job needs it. */
export interface OutboundTemplate {
  name: string;
  language: string;
  /** The body parameters, in order. */
  params: string[];
}

export interface OutboundToSend {
  id: number;
  tenantId: number;
  channelAccountId: number;
  contactId: number;
  handoverId: number | null;
  authorKind: 'bot' | 'manager' | 'system';
  to: string;
  body: string;
  type: 'text' | 'image' | 'document' | 'template';
  media: OutboundMedia | null;
  template?: OutboundTemplate | null;
  providerMessageId: string | null;
  deliveryStatus: string;
  traceId: string;
}

export interface OutboundStore {
  load(messageId: number): OutboundToSend | null;
  markSent(messageId: number, providerMessageId: string, now: number): void;
  markFailed(messageId: number, error: string, now: number): void;
  markTokenBroken(channelAccountId: number, detail: string, now: number): void;
}

/** Fetches the bytes of an outbound file from where it lives (Telegram for a manager's photo). */
export interface MediaSourcePort {
  fetch(media: OutboundMedia, signal: AbortSignal): Promise<{ bytes: Buffer; mimeType: string; filename: string }>;
}

/** Resolves a tenant's channel credentials (decrypting its token); throws a clear error when it has none. */
export interface CredentialsPort {
  forTenant(tenantId: number): ChannelCredentials;
}
