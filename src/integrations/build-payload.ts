import { randomBytes } from 'node:crypto';
import type { ContactRow, HandoverRow, MessageRow } from '../storage/integration-event-store.js';
import { EVENT_SCHEMAS, PAYLOAD_VERSION, type ContactPayload, type EventType, type HandoverPayload, type MessagePayload, type WebhookPayload } from './payloads.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function newEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

export function contactPayload(c: ContactRow): ContactPayload {
  return { id: c.id, phone: c.phone ?? (/^\d{6,15}$/.test(c.providerId) ? c.providerId : null), name: c.name, locale: c.locale };
}

export function messagePayload(m: MessageRow): MessagePayload {
  return { id: m.id, direction: m.direction, author: m.authorKind, author_name: m.authorName, type: m.type, text: m.body, created_at: iso(m.createdAt) };
}

export function handoverPayload(h: HandoverRow): HandoverPayload {
  return {
    id: h.id, number: h.number, status: h.status, reason: h.reason, summary: h.summary, created_at: iso(h.createdAt),
    assigned_to_name: h.assignedToName, taken_at: isoOrNull(h.takenAt), resolved_by_name: h.resolvedByName, resolved_at: isoOrNull(h.resolvedAt),
  };
}

/** The versioned body of one event, checked against its schema: a payload that does not match its own docs is our bug. */
export function buildPayload(type: EventType, input: { id: string; tenant: string; at: number; data: Record<string, unknown> }): WebhookPayload {
  const payload = { id: input.id, type, version: PAYLOAD_VERSION, created_at: iso(input.at), tenant: input.tenant, data: input.data };
  return EVENT_SCHEMAS[type].parse(payload) as WebhookPayload;
}
