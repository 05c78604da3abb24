import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer, OutboundDraft } from '../conversation/ports.js';
import type { Locale } from '../tenants/settings.js';
import type { TextOverrides } from '../texts/texts.js';
import { JOB } from '../conversation/job-kinds.js';
import { queueCustomerMessage } from './customer-message.js';
import { templateParams, type TemplatePurpose, type WhatsappTemplate } from './templates.js';

/** A manager's message WhatsApp refused because the 24-hour window was closed. */
export interface RefusedMessage {
  id: number;
  contactId: number;
  channelAccountId: number;
  handoverId: number | null;
  authorId: number | null;
  authorName: string | null;
  body: string;
  locale: Locale;
  business: string;
  texts: TextOverrides | null;
  customerName: string | null;
}

export interface HeldStore {
  transaction<T>(fn: () => T): T;
  /** The message when it is a manager's text refused with 131047; else null. */
  refusedByWindow(tenantId: number, messageId: number): RefusedMessage | null;
  isHeld(tenantId: number, messageId: number): 'no' | 'held' | 'released';
  hold(tenantId: number, contactId: number, messageId: number, templateMessageId: number, by: string | null, now: number): boolean;
  /** Held messages of the contact not released yet, oldest first. */
  waiting(tenantId: number, contactId: number): { id: number; message: RefusedMessage }[];
  release(tenantId: number, heldId: number, releasedMessageId: number, now: number): void;
}

export interface ReengagementDeps {
  held: HeldStore;
  templates: { forPurpose(tenantId: number, purpose: TemplatePurpose, language: string): WhatsappTemplate | null };
  outbound: { insertOutbound(draft: OutboundDraft): number };
  queue: JobEnqueuer;
  events: IntegrationEvents;
  clock: () => number;
}

export type ReengagementResult = { ok: true } | { ok: false; reason: 'not_refused' | 'no_template' | 'already_held' };

/**
 * The manager's one tap after a 131047: the tenant's re-engagement template goes to the customer and the refused
 * message is held, to follow once the customer answers. Once per refused message.
 */
export function sendReengagement(deps: ReengagementDeps, tenantId: number, messageId: number, by: string | null): ReengagementResult {
  return deps.held.transaction((): ReengagementResult => {
    const refused = deps.held.refusedByWindow(tenantId, messageId);
    if (!refused) return { ok: false, reason: 'not_refused' };
    if (deps.held.isHeld(tenantId, messageId) !== 'no') return { ok: false, reason: 'already_held' };
    const template = deps.templates.forPurpose(tenantId, 'reengagement', refused.locale);
    if (!template) return { ok: false, reason: 'no_template' };
    const params = templateParams(template, { name: refused.customerName ?? '', service: '', time: '', business: refused.business });
    const templateMessageId = queueCustomerMessage(deps, {
      tenantId, channelAccountId: refused.channelAccountId, contactId: refused.contactId, handoverId: refused.handoverId, authorKind: 'system',
      body: `[template ${template.name}]`, traceId: `reengage-${messageId}`, type: 'template', template: { name: template.name, language: template.language, params },
    });
    deps.held.hold(tenantId, refused.contactId, messageId, templateMessageId, by, deps.clock());
    deps.queue.enqueue({ kind: JOB.deskDelivery, tenantId: null, payload: { messageId }, concurrencyKey: `delivery:${messageId}` });
    return { ok: true };
  });
}

/**
 * The customer answered: every held manager message of theirs is sent again, once, as the manager wrote it (the
 * window is open now). Call inside the transaction that handles the customer's message.
 */
export function releaseHeld(deps: Omit<ReengagementDeps, 'templates'>, tenantId: number, contactId: number): number[] {
  const sent: number[] = [];
  for (const { id, message } of deps.held.waiting(tenantId, contactId)) {
    const copy = queueCustomerMessage(deps, {
      tenantId, channelAccountId: message.channelAccountId, contactId, handoverId: message.handoverId, authorKind: 'manager',
      authorId: message.authorId, authorName: message.authorName, body: message.body, traceId: `held-${message.id}`,
    });
    deps.held.release(tenantId, id, copy, deps.clock());
    // The manager's line under their message says it went out after all.
    deps.queue.enqueue({ kind: JOB.deskDelivery, tenantId: null, payload: { messageId: message.id }, concurrencyKey: `delivery:${message.id}` });
    sent.push(copy);
  }
  return sent;
}
