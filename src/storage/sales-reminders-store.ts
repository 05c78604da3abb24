import type { Booking } from '../sales/ports.js';
import type { ReminderStore, ReminderToSend } from '../sales/reminders.js';
import type { TextOverrides } from '../texts/texts.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export const DEFAULT_REMINDER_OFFSETS_MS = [86_400_000, 7_200_000];

/** Customer reminders of confirmed bookings and the tenant's reminder settings (migration 0018). */
export class SqlReminderStore implements ReminderStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  offsets(tenantId: number): number[] {
    const row = prepareCached(this.db, 'SELECT reminder_offsets AS offsets FROM sales_settings WHERE tenant_id = ?').get(tenantId) as { offsets: string } | undefined;
    return row ? (JSON.parse(row.offsets) as number[]) : DEFAULT_REMINDER_OFFSETS_MS;
  }

  setOffsets(tenantId: number, offsets: readonly number[], now: number): void {
    prepareCached(this.db, `INSERT INTO sales_settings (tenant_id, reminder_offsets, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (tenant_id) DO UPDATE SET reminder_offsets = excluded.reminder_offsets, updated_at = excluded.updated_at`).run(tenantId, JSON.stringify(offsets), now);
  }

  setMemoryRetention(tenantId: number, days: number | null, now: number): void {
    prepareCached(this.db, `INSERT INTO sales_settings (tenant_id, memory_retention_days, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (tenant_id) DO UPDATE SET memory_retention_days = excluded.memory_retention_days, updated_at = excluded.updated_at`).run(tenantId, days, now);
  }

  memoryRetention(tenantId: number): number | null {
    return (prepareCached(this.db, 'SELECT memory_retention_days AS days FROM sales_settings WHERE tenant_id = ?').get(tenantId) as { days: number | null } | undefined)?.days ?? null;
  }

  schedule(tenantId: number, bookingId: number, offsetMs: number, dueAt: number): number | null {
    const result = prepareCached(this.db, 'INSERT OR IGNORE INTO sales_reminders (tenant_id, booking_id, offset_ms, due_at) VALUES (?, ?, ?, ?)').run(tenantId, bookingId, offsetMs, dueAt);
    return result.changes === 1 ? Number(result.lastInsertRowid) : null;
  }

  load(tenantId: number, reminderId: number): ReminderToSend | null {
    const row = prepareCached(this.db, `SELECT r.id, r.booking_id AS bookingId, r.due_at AS dueAt, r.sent_at AS sentAt,
        b.state, b.service, b.preferred_time AS preferredTime, b.customer_name AS customerName, b.locale, b.appointment_at AS appointmentAt, b.contact_id AS contactId,
        c.channel_account_id AS channelAccountId, a.channel, t.name AS business, t.texts, t.timezone,
        (SELECT max(m.created_at) FROM messages m WHERE m.contact_id = b.contact_id AND m.direction = 'inbound') AS lastInboundAt
      FROM sales_reminders r JOIN sales_bookings b ON b.id = r.booking_id JOIN contacts c ON c.id = b.contact_id JOIN channel_accounts a ON a.id = c.channel_account_id JOIN tenants t ON t.id = r.tenant_id
      WHERE r.tenant_id = ? AND r.id = ?`).get(tenantId, reminderId) as (Omit<ReminderToSend, 'texts' | 'state'> & { texts: string | null; state: Booking['state'] }) | undefined;
    return row ? { ...row, texts: row.texts ? (JSON.parse(row.texts) as TextOverrides) : null } : null;
  }

  markSent(tenantId: number, reminderId: number, outcome: string, messageId: number | null, now: number): boolean {
    return prepareCached(this.db, 'UPDATE sales_reminders SET sent_at = ?, outcome = ?, outbound_message_id = ? WHERE tenant_id = ? AND id = ? AND sent_at IS NULL')
      .run(now, outcome, messageId, tenantId, reminderId).changes === 1;
  }
}
