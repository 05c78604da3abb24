import { describe, expect, test } from 'vitest';
import type { OutboundDraft } from '../../../src/conversation/ports.js';
import type { JobSpec } from '../../../src/jobs/types.js';
import { scheduleReminders, sendReminder, type ReminderStore, type ReminderToSend } from '../../../src/sales/reminders.js';
import type { WhatsappTemplate } from '../../../src/sales/templates.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 4, 6, 0); // 11:00 in Asia/Almaty (UTC+5)
const APPOINTMENT = NOW + 26 * HOUR;

/** A recording fake of the reminder rows (storage is the edge here). */
class FakeReminders implements ReminderStore {
  rows = new Map<number, ReminderToSend & { outcome?: string }>();
  offsetsMs = [24 * HOUR, 2 * HOUR, 48 * HOUR];
  transaction<T>(fn: () => T): T {
    return fn();
  }
  offsets(): number[] {
    return this.offsetsMs;
  }
  schedule(_t: number, bookingId: number, offsetMs: number, dueAt: number): number | null {
    if ([...this.rows.values()].some((r) => r.bookingId === bookingId && r.dueAt === dueAt)) return null;
    const id = this.rows.size + 1;
    this.rows.set(id, { ...BASE, id, bookingId, dueAt });
    return id;
  }
  load(_t: number, id: number): ReminderToSend | null {
    return this.rows.get(id) ?? null;
  }
  markSent(_t: number, id: number, outcome: string, _m: number | null, now: number): boolean {
    const row = this.rows.get(id)!;
    if (row.sentAt !== null) return false;
    this.rows.set(id, { ...row, sentAt: now, outcome });
    return true;
  }
}

const BASE: ReminderToSend = {
  id: 0, bookingId: 1, dueAt: 0, sentAt: null, state: 'confirmed', service: 'Чистка', preferredTime: 'завтра в 13:00', customerName: 'Айгерим', locale: 'ru',
  appointmentAt: APPOINTMENT, contactId: 3, channelAccountId: 1, business: 'Smile', texts: null, timezone: 'Asia/Almaty', lastInboundAt: NOW - HOUR, channel: 'whatsapp' as const,
};
const TEMPLATE: WhatsappTemplate = { id: 1, name: 'appointment_reminder', language: 'ru', params: ['name', 'time'], purpose: 'reminder' };

function harness(template: WhatsappTemplate | null = TEMPLATE) {
  const reminders = new FakeReminders();
  const sent: OutboundDraft[] = [];
  const jobs: JobSpec[] = [];
  const deps = {
    reminders, templates: { forPurpose: () => template }, outbound: { insertOutbound: (d: OutboundDraft) => sent.push(d) }, queue: { enqueue: (j: JobSpec) => jobs.push(j) },
    events: { emit: () => undefined }, clock: () => NOW,
  };
  return { reminders, sent, jobs, deps };
}

describe('customer reminders', () => {
  test('one job per offset still ahead, due at the appointment minus the offset; scheduling twice adds nothing', () => {
    const { reminders, jobs, deps } = harness();
    expect(scheduleReminders(deps, 1, 1, APPOINTMENT, NOW)).toHaveLength(2); // 48 h before is already past
    expect(jobs.map((j) => [j.kind, j.runAt])).toEqual([['sales.customer_reminder', APPOINTMENT - 24 * HOUR], ['sales.customer_reminder', APPOINTMENT - 2 * HOUR]]);
    expect(scheduleReminders(deps, 1, 1, APPOINTMENT, NOW)).toEqual([]);
    expect(reminders.rows.size).toBe(2);
  });

  test.each([
    ['inside the window: a text with the local time', { lastInboundAt: NOW - HOUR }, TEMPLATE, 'text'],
    ['outside the window: the template', { lastInboundAt: NOW - 25 * HOUR }, TEMPLATE, 'template'],
    ['outside the window without a template: skipped, nothing sent', { lastInboundAt: null }, null, 'skipped'],
    ['a booking no longer confirmed: skipped', { state: 'declined' as const }, TEMPLATE, 'skipped'],
    ['a Telegram customer has no window: a text, however long ago they wrote', { channel: 'telegram' as const, lastInboundAt: NOW - 25 * HOUR }, TEMPLATE, 'text'],
    ['an Instagram customer outside the window: skipped (no templates there), nothing sent', { channel: 'instagram' as const, lastInboundAt: NOW - 25 * HOUR }, TEMPLATE, 'skipped'],
  ])('%s', (_name, over, template, outcome) => {
    const { reminders, sent, deps } = harness(template);
    reminders.rows.set(1, { ...BASE, id: 1, ...over });
    expect(sendReminder(deps, 1, 1)).toMatch(new RegExp(`^${outcome}`));
    if (outcome === 'text') expect(sent[0]!.body).toContain('2026-12-05 13:00');
    if (outcome === 'template') expect(sent[0]).toMatchObject({ type: 'template', template: { name: 'appointment_reminder', params: ['Айгерим', '2026-12-05 13:00'] } });
    if (outcome === 'skipped') expect(sent).toEqual([]);
    // Exactly once: a second run (a retry, a duplicate job) sends nothing more.
    expect(sendReminder(deps, 1, 1)).toBeNull();
    expect(sent.length).toBeLessThanOrEqual(1);
  });
});
