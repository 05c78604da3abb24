import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildPayload } from '../../../src/integrations/build-payload.js';
import { EVENT_TYPES, SUBSCRIBABLE_EVENTS } from '../../../src/integrations/payloads.js';
import { PAYLOAD_SCHEMA_FILE, payloadSchemaText } from '../../../src/integrations/write-schemas.js';

describe('webhook payload schemas', () => {
  test('docs/integrations/webhook-payloads.schema.json is generated from the zod types and current (npm run schemas)', () => {
    expect(readFileSync(PAYLOAD_SCHEMA_FILE, 'utf8')).toBe(payloadSchemaText());
  });

  test('every event type has a schema in the document, booking events included', () => {
    const doc = JSON.parse(payloadSchemaText()) as { events: Record<string, { properties: { type: { const: string } } }> };
    expect(Object.keys(doc.events)).toEqual(EVENT_TYPES);
    for (const type of ['booking.requested', 'booking.confirmed', 'booking.declined', 'handover.opened', 'contact.updated']) expect(doc.events[type]!.properties.type.const).toBe(type);
    expect(SUBSCRIBABLE_EVENTS).not.toContain('integration.test');
  });

  test('a payload that does not match its own schema is refused, naming the field', () => {
    const contact = { id: 1, phone: '77010000001', name: null, locale: 'ru' };
    expect(buildPayload('contact.updated', { id: 'evt_1', tenant: 'acme', at: 0, data: { contact } })).toMatchObject({ type: 'contact.updated', version: 1, created_at: '1970-01-01T00:00:00.000Z' });
    expect(() => buildPayload('contact.updated', { id: 'evt_1', tenant: 'acme', at: 0, data: { contact: { ...contact, locale: 'de' } } })).toThrow(/locale/);
  });
});
