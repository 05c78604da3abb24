import { z } from 'zod';

/**
 * The versioned JSON bodies of outbound webhooks. These zod schemas are the source of truth: the payload builder
 * parses what it sends through them, and docs/integrations/webhook-payloads.schema.json is generated from them
 * (`npm run schemas`; test/unit/integrations/payload-schemas.test.ts fails when the file is stale).
 */
export const PAYLOAD_VERSION = 1;

const iso = z.string().describe('UTC time, ISO 8601');

export const ContactSchema = z.object({
  id: z.number().int().describe('the contact id in this cell'),
  phone: z.string().nullable().describe('digits as WhatsApp gives them, or null when withheld'),
  name: z.string().nullable(),
  locale: z.enum(['ru', 'kk', 'en']).nullable(),
});

export const MessageSchema = z.object({
  id: z.number().int(),
  direction: z.enum(['inbound', 'outbound']),
  author: z.enum(['customer', 'bot', 'manager', 'system']),
  author_name: z.string().nullable(),
  type: z.string().describe('text, image, audio, document, location, …'),
  text: z.string().nullable(),
  created_at: iso,
});

export const HandoverSchema = z.object({
  id: z.number().int(),
  number: z.number().int().describe('the request number managers see'),
  status: z.enum(['waiting', 'taken', 'resolved']),
  reason: z.string(),
  summary: z.string().nullable(),
  created_at: iso,
  assigned_to_name: z.string().nullable(),
  taken_at: iso.nullable(),
  resolved_by_name: z.string().nullable(),
  resolved_at: iso.nullable(),
});

export const BookingSchema = z.object({
  id: z.number().int(),
  status: z.enum(['requested', 'confirmed', 'declined']),
  service: z.string().nullable(),
  starts_at: iso.nullable(),
});

function envelope<T extends string, D extends z.ZodType>(type: T, data: D, description: string) {
  return z.object({
    id: z.string().describe('event id, unique per cell: receivers de-duplicate on it'),
    type: z.literal(type),
    version: z.literal(PAYLOAD_VERSION),
    created_at: iso,
    tenant: z.string().describe('the tenant slug'),
    data,
  }).describe(description);
}

export const EVENT_SCHEMAS = {
  'conversation.started': envelope('conversation.started', z.object({ contact: ContactSchema }), 'A customer wrote for the first time.'),
  'message.created': envelope('message.created', z.object({ contact: ContactSchema, message: MessageSchema }), 'A message from or to the customer was stored.'),
  'handover.opened': envelope('handover.opened', z.object({ contact: ContactSchema, handover: HandoverSchema }), 'The bot handed the conversation to the managers.'),
  'handover.taken': envelope('handover.taken', z.object({ contact: ContactSchema, handover: HandoverSchema }), 'A manager took the request.'),
  'handover.resolved': envelope('handover.resolved', z.object({ contact: ContactSchema, handover: HandoverSchema }), 'The request was resolved; the bot answers again.'),
  'contact.updated': envelope('contact.updated', z.object({ contact: ContactSchema }), 'The customer\'s name or language changed.'),
  'booking.requested': envelope('booking.requested', z.object({ contact: ContactSchema, booking: BookingSchema }), 'A customer asked for a booking.'),
  'booking.confirmed': envelope('booking.confirmed', z.object({ contact: ContactSchema, booking: BookingSchema }), 'A booking was confirmed.'),
  'booking.declined': envelope('booking.declined', z.object({ contact: ContactSchema, booking: BookingSchema }), 'A booking was declined.'),
  'integration.test': envelope('integration.test', z.object({ message: z.string() }), 'Sent by botctl integrations test: a sample that changes nothing.'),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
/** What an endpoint may subscribe to (the test event always goes to every endpoint). */
export const SUBSCRIBABLE_EVENTS = EVENT_TYPES.filter((t) => t !== 'integration.test');

export const WebhookPayloadSchema = z.discriminatedUnion('type', Object.values(EVENT_SCHEMAS) as unknown as [z.ZodObject, ...z.ZodObject[]]);
export type WebhookPayload = { [K in EventType]: z.infer<(typeof EVENT_SCHEMAS)[K]> }[EventType];
export type ContactPayload = z.infer<typeof ContactSchema>;
export type MessagePayload = z.infer<typeof MessageSchema>;
export type HandoverPayload = z.infer<typeof HandoverSchema>;

/** The JSON Schema document of every payload, as written to docs/integrations/webhook-payloads.schema.json. */
export function payloadJsonSchema(): Record<string, unknown> {
  const events = Object.fromEntries(EVENT_TYPES.map((t) => [t, z.toJSONSchema(EVENT_SCHEMAS[t], { target: 'draft-2020-12' })]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'botctl webhook payloads',
    description: `Version ${PAYLOAD_VERSION} of the JSON bodies botctl POSTs to webhook endpoints, one schema per event type. Generated from src/integrations/payloads.ts; do not edit.`,
    version: PAYLOAD_VERSION,
    events,
  };
}
