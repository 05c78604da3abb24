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
import { formatDuration, parseDuration } from '../config/durations.js';
import { SqlReminderStore } from '../storage/sales-reminders-store.js';
import { SqlTemplateStore } from '../storage/sales-templates-store.js';
import { SqlOfferStore } from '../storage/sales-offers-store.js';
import type { Offer } from './offers.js';
import { TEMPLATE_PARAMS, TEMPLATE_PURPOSES, type TemplateParam, type TemplatePurpose, type WhatsappTemplate } from './templates.js';

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

  /** Registers an approved WhatsApp template (its name and language exactly as approved in Meta's manager). */
  addTemplate(slug: string, input: { name: string; language: string; params: string[]; purpose: string | null }): WhatsappTemplate {
    const tenant = this.tenants.get(slug);
    if (!/^[a-z0-9_]{1,512}$/.test(input.name)) throw new UserError(`"${input.name}" is not a WhatsApp template name`, 'use the name exactly as approved: lowercase letters, digits and underscores');
    if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(input.language)) throw new UserError(`"${input.language}" is not a template language code`, 'use the code the template was approved in, e.g. ru, kk, en or en_US');
    const unknown = input.params.filter((p) => !TEMPLATE_PARAMS.includes(p as TemplateParam));
    if (unknown.length > 0) throw new UserError(`unknown template parameter(s): ${unknown.join(', ')}`, `list the body parameters in order using: ${TEMPLATE_PARAMS.join(', ')}`);
    if (input.purpose !== null && !TEMPLATE_PURPOSES.includes(input.purpose as TemplatePurpose)) throw new UserError(`unknown purpose "${input.purpose}"`, `use one of: ${TEMPLATE_PURPOSES.join(', ')}`);
    const store = new SqlTemplateStore(this.cell.db);
    if (store.list(tenant.id).some((t) => t.name === input.name && t.language === input.language)) {
      throw new UserError(`${slug} already has the template ${input.name} (${input.language})`, `remove it first: botctl tenant templates remove ${slug} --name ${input.name} --language ${input.language}`);
    }
    const now = Date.now();
    const template = { name: input.name, language: input.language, params: input.params as TemplateParam[], purpose: input.purpose as TemplatePurpose | null };
    const id = store.add(tenant.id, template, now);
    new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'templates.add', tenantId: tenant.id, tenantSlug: slug, detail: { ...template } });
    return { id, ...template };
  }

  listTemplates(slug: string): WhatsappTemplate[] {
    return new SqlTemplateStore(this.cell.db).list(this.tenants.get(slug).id);
  }

  removeTemplate(slug: string, name: string, language: string | null): number {
    const tenant = this.tenants.get(slug);
    const removed = new SqlTemplateStore(this.cell.db).remove(tenant.id, name, language);
    if (removed === 0) throw new UserError(`${slug} has no template ${name}${language ? ` (${language})` : ''}`, `see its templates with: botctl tenant templates list ${slug}`);
    new AuditStore(this.cell.db).record({ at: Date.now(), actor: currentActor(), action: 'templates.remove', tenantId: tenant.id, tenantSlug: slug, detail: { name, language, removed } });
    return removed;
  }

  /** Sets how long before a confirmed appointment the customer is reminded ("24h,2h"); "" turns reminders off. */
  setReminders(slug: string, text: string): string[] {
    const tenant = this.tenants.get(slug);
    const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
    const offsets = parts.map((p) => {
      const ms = parseDuration(p);
      if (ms === null || ms <= 0 || ms > 30 * 86_400_000) throw new UserError(`"${p}" is not a reminder time`, 'write how long before the appointment, e.g. --before 24h,2h (up to 30 days), or --before "" for none');
      return ms;
    });
    const unique = [...new Set(offsets)].sort((a, b) => b - a);
    new SqlReminderStore(this.cell.db).setOffsets(tenant.id, unique, Date.now());
    new AuditStore(this.cell.db).record({ at: Date.now(), actor: currentActor(), action: 'bookings.reminders', tenantId: tenant.id, tenantSlug: slug, detail: { offsets: unique } });
    return unique.map(formatDuration);
  }

  /** How long customers' memories are kept after they were last written (null: until the customer is forgotten). */
  setMemoryRetention(slug: string, days: number | null): void {
    const tenant = this.tenants.get(slug);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UserError(`${days} is not a number of days from 1 to 3650`, 'e.g. --days 365, or --forever to keep memories until the customer asks to be forgotten');
    new SqlReminderStore(this.cell.db).setMemoryRetention(tenant.id, days, Date.now());
    new AuditStore(this.cell.db).record({ at: Date.now(), actor: currentActor(), action: 'contact.retention', tenantId: tenant.id, tenantSlug: slug, detail: { days } });
  }

  memoryRetention(slug: string): number | null {
    return new SqlReminderStore(this.cell.db).memoryRetention(this.tenants.get(slug).id);
  }

  reminders(slug: string): string[] {
    return new SqlReminderStore(this.cell.db).offsets(this.tenants.get(slug).id).map(formatDuration);
  }

  /** Adds an offer the bot may propose (quoted exactly); a service makes a later booking of it count as accepted. */
  addOffer(slug: string, input: { when: string; text: string; service: string | null }): Offer {
    const tenant = this.tenants.get(slug);
    const when = input.when.trim();
    const text = input.text.trim();
    if (!when || when.length > 300) throw new UserError('--when must say in 1 to 300 characters when the offer fits', 'e.g. --when "the customer asks about a cleaning"');
    if (!text || text.length > 500) throw new UserError('--text must be the offer in 1 to 500 characters, exactly as the customer should read it', 'e.g. --text "With a cleaning, whitening is 20% off: 36 000 ₸."');
    let service: string | null = null;
    if (input.service) {
      service = this.services.list(tenant.id).find((s) => s.name.toLowerCase() === input.service!.trim().toLowerCase())?.name ?? null;
      if (!service) throw new UserError(`${slug} has no service "${input.service}"`, `use a name from botctl services list ${slug}`);
    }
    const store = new SqlOfferStore(this.cell.db);
    const now = Date.now();
    const id = store.add(tenant.id, { when, text, service }, now);
    new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'offers.add', tenantId: tenant.id, tenantSlug: slug, detail: { id, when, text, service } });
    return { id, when, text, service };
  }

  listOffers(slug: string): (Offer & { offered: number; accepted: number })[] {
    const tenant = this.tenants.get(slug);
    const store = new SqlOfferStore(this.cell.db);
    const counts = store.counts(tenant.id);
    return store.list(tenant.id).map((o) => ({ ...o, offered: counts.get(o.id)?.offered ?? 0, accepted: counts.get(o.id)?.accepted ?? 0 }));
  }

  removeOffer(slug: string, id: number): void {
    const tenant = this.tenants.get(slug);
    if (!new SqlOfferStore(this.cell.db).remove(tenant.id, id, Date.now())) throw new UserError(`${slug} has no offer #${id}`, `see its offers with: botctl offers list ${slug}`);
    new AuditStore(this.cell.db).record({ at: Date.now(), actor: currentActor(), action: 'offers.remove', tenantId: tenant.id, tenantSlug: slug, detail: { id } });
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
