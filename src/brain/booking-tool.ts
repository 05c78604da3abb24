import type { Service } from '../sales/services.js';
import { localToEpoch } from '../sales/local-time.js';
import type { ToolSpec } from './llm.js';

export const BOOKING_TOOL_NAME = 'request_booking';

/**
 * The booking tool as the model sees it. The service is an enum of the tenant's services, so the model can only
 * pick one that exists; the time is what the customer asked for, in their words. Calling it never confirms
 * anything: it passes a request to the managers, who decide.
 */
export function bookingTool(services: readonly Service[]): ToolSpec {
  return {
    name: BOOKING_TOOL_NAME,
    description: 'Pass the customer\'s booking request to the managers, who confirm it, offer another time or decline. Call it when the customer wants to book one of the listed services; include what the customer said. Never tell the customer a slot is confirmed.',
    parameters: {
      type: 'object',
      properties: {
        service: { type: 'string', enum: services.map((s) => s.name), description: 'the service the customer wants to book' },
        preferred_time: { type: 'string', description: 'the day and time the customer prefers, in their words' },
        customer_name: { type: 'string', description: 'the name the customer gave' },
        appointment_at: { type: 'string', description: 'the preferred date and time resolved to the business\'s local time as YYYY-MM-DD HH:MM (the current local time is in the instructions); omit when the customer gave no exact time' },
      },
      required: ['service', 'preferred_time', 'customer_name'],
    },
  };
}

export type BookingField = 'service' | 'time' | 'name';

export interface BookingArguments {
  service: string;
  preferredTime: string;
  customerName: string;
  /** The moment the customer asked for, when the model resolved one that is real and in the future; else null. */
  appointmentAt: number | null;
}

export type BookingCheck = { ok: true; request: BookingArguments } | { ok: false; missing: BookingField[]; partial: Partial<BookingArguments> };

const text = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : null;
};

/**
 * Checks the model's arguments in code, whatever the model sent: the service must be one of the tenant's (matched
 * without case), the time and name present and short. What is missing or wrong is named so the bot asks for it.
 */
export function checkBookingArguments(args: Record<string, unknown>, services: readonly Service[], clock?: { now: number; timezone: string }): BookingCheck {
  const wanted = text(args.service, 100)?.toLowerCase();
  const service = wanted ? services.find((s) => s.name.toLowerCase() === wanted)?.name ?? null : null;
  const preferredTime = text(args.preferred_time, 100);
  const customerName = text(args.customer_name, 100);
  const missing: BookingField[] = [];
  if (!service) missing.push('service');
  if (!preferredTime) missing.push('time');
  if (!customerName) missing.push('name');
  const at = clock ? text(args.appointment_at, 20) : null;
  const moment = at && clock ? localToEpoch(at, clock.timezone) : null;
  const appointmentAt = moment !== null && moment > clock!.now ? moment : null;
  if (missing.length === 0) return { ok: true, request: { service: service!, preferredTime: preferredTime!, customerName: customerName!, appointmentAt } };
  return {
    ok: false, missing,
    partial: { ...(service ? { service } : {}), ...(preferredTime ? { preferredTime } : {}), ...(customerName ? { customerName } : {}) },
  };
}
