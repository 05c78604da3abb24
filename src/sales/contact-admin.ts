import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { SqlForgetStore } from '../storage/sales-forget-store.js';
import { TenantService } from '../tenants/tenant-service.js';
import type { ForgetReport } from './forget.js';

/** `botctl contact forget`: the same as a customer's "forget me", done by the operator at once, audited. */
export function forgetContact(cell: Cell, slug: string, address: string): ForgetReport & { contactId: number } {
  const tenant = new TenantService(cell).get(slug);
  const store = new SqlForgetStore(cell.db);
  const contactId = store.findContact(tenant.id, address);
  if (contactId === null) throw new UserError(`${slug} has no customer ${address}`, 'give the phone as WhatsApp shows it (e.g. +77051234567) or the customer\'s user id');
  const now = Date.now();
  const report = store.forget(tenant.id, contactId, now)!;
  new AuditStore(cell.db).record({ at: now, actor: currentActor(), action: 'contact.forget', tenantId: tenant.id, tenantSlug: slug, detail: { contactId, ...report } });
  return { contactId, ...report };
}
