import { readFileSync } from 'node:fs';
import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { SqlBookingStore, type BookingEvent } from '../storage/sales-bookings-store.js';
import { SqlServiceStore } from '../storage/sales-services-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import type { BookingState } from './booking-states.js';
import type { Booking } from './ports.js';
import { parseServicesFile, ServicesFileError, type Service } from './services.js';

export const BOOKING_STATES: readonly BookingState[] = ['requested', 'confirmed', 'other_time', 'declined'];

/** What the operator does with a tenant's services and bookings (`botctl services`, `botctl bookings`); audited. */
export class SalesAdmin {
  private readonly tenants: TenantService;
  private readonly services: SqlServiceStore;
  private readonly bookings: SqlBookingStore;

  constructor(private readonly cell: Cell) {
    this.tenants = new TenantService(cell);
    this.services = new SqlServiceStore(cell.db);
    this.bookings = new SqlBookingStore(cell.db);
  }

  /** Replaces the tenant's services with the file's (all or nothing). */
  setServices(slug: string, file: string): Service[] {
    const tenant = this.tenants.get(slug);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give the path of a JSON file with the services');
    }
    let services: Service[];
    try {
      services = parseServicesFile(text, file);
    } catch (err) {
      if (err instanceof ServicesFileError) throw new UserError(err.message, err.hint);
      throw err;
    }
    const now = Date.now();
    this.services.replace(tenant.id, services, now);
    new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'services.set', tenantId: tenant.id, tenantSlug: slug, detail: { count: services.length, names: services.map((s) => s.name) } });
    return services;
  }

  listServices(slug: string): Service[] {
    return this.services.list(this.tenants.get(slug).id);
  }

  listBookings(slug: string, options: { state?: string; limit?: number } = {}): (Booking & { customerPhone: string; events: BookingEvent[] })[] {
    const tenant = this.tenants.get(slug);
    if (options.state !== undefined && !BOOKING_STATES.includes(options.state as BookingState)) {
      throw new UserError(`unknown booking state "${options.state}"`, `use one of: ${BOOKING_STATES.join(', ')}`);
    }
    return this.bookings.list(tenant.id, { ...(options.state ? { state: options.state as BookingState } : {}), limit: options.limit ?? 100 })
      .map((b) => ({ ...b, events: this.bookings.events(tenant.id, b.id) }));
  }
}
