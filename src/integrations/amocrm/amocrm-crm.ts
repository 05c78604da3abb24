import type { CrmAdapter, CrmCustomer, CrmLink } from '../crm-adapter.js';
import type { AmoContact, AmoCrmClient } from './client.js';

export interface AmoSettings {
  subdomain: string;
  /** The account's API address when it is not https://<subdomain>.amocrm.ru (Kommo: https://<subdomain>.kommo.com). */
  apiUrl?: string;
  pipelineId?: number;
  statusId?: number;
}

export const amoBaseUrl = (s: AmoSettings) => s.apiUrl ?? `https://${s.subdomain}.amocrm.ru`;

const digits = (text: string) => text.replace(/\D/g, '');

function hasPhone(contact: AmoContact, phone: string): boolean {
  const wanted = digits(phone);
  return (contact.custom_fields_values ?? []).some((f) => f.field_code === 'PHONE' && f.values.some((v) => digits(v.value) === wanted));
}

/**
 * amoCRM for the sync job, at most three calls per job: search the contact by phone (with its leads), create what
 * is missing (lead and contact together, or a lead for a contact that exists), add a note. Searching first is what
 * makes a retry after a crash between amoCRM's answer and our commit find the lead instead of creating a second.
 */
export class AmoCrm implements CrmAdapter {
  constructor(private readonly client: AmoCrmClient, private readonly settings: AmoSettings) {}

  async findOrCreate(customer: CrmCustomer, signal: AbortSignal): Promise<CrmLink & { created: boolean }> {
    const pipeline = { ...(this.settings.pipelineId !== undefined ? { pipelineId: this.settings.pipelineId } : {}), ...(this.settings.statusId !== undefined ? { statusId: this.settings.statusId } : {}) };
    const phone = `+${digits(customer.phone)}`;
    const found = (await this.client.findContacts(digits(customer.phone), signal)).filter((c) => hasPhone(c, phone)).sort((a, b) => a.id - b.id)[0];
    if (found) {
      const leads = (found._embedded?.leads ?? []).map((l) => l.id).sort((a, b) => b - a);
      if (leads[0] !== undefined) return { entityType: 'lead', entityId: String(leads[0]), externalContactId: String(found.id), created: false };
      const leadId = await this.client.createLeadForContact({ name: customer.leadTitle, contactId: found.id, ...pipeline }, signal);
      return { entityType: 'lead', entityId: String(leadId), externalContactId: String(found.id), created: true };
    }
    const created = await this.client.createLeadWithContact({ name: customer.leadTitle, contactName: customer.name ?? phone, phone, ...pipeline }, signal);
    return { entityType: 'lead', entityId: String(created.leadId), externalContactId: String(created.contactId), created: true };
  }

  async addNote(link: CrmLink, text: string, signal: AbortSignal): Promise<void> {
    await this.client.addLeadNote(Number(link.entityId), text, signal);
  }

  async check(signal: AbortSignal): Promise<string> {
    const account = await this.client.account(signal);
    return `account ${account.name} (${account.id})`;
  }
}
