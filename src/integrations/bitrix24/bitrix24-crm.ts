import type { CrmAdapter, CrmCustomer, CrmLink } from '../crm-adapter.js';
import type { Bitrix24Client } from './client.js';

export interface Bitrix24Settings {
  /** Where the portal is (no secret): shown by list and doctor. */
  portal: string;
  /** SOURCE_ID of new leads, when the business wants one (e.g. "WEB"). */
  sourceId?: string;
}

const phoneOf = (text: string) => `+${text.replace(/\D/g, '')}`;

/**
 * Bitrix24 for the sync job, at most four calls per job: a contact with the phone (notes go to it), else a lead
 * with the phone (one we created before a crash, or the business's own), else a new lead; then a timeline comment.
 */
export class Bitrix24Crm implements CrmAdapter {
  constructor(private readonly client: Bitrix24Client, private readonly settings: Bitrix24Settings) {}

  async findOrCreate(customer: CrmCustomer, signal: AbortSignal): Promise<CrmLink & { created: boolean }> {
    const phone = phoneOf(customer.phone);
    const contacts = await this.client.call<{ ID: string }[]>('crm.contact.list', { filter: { PHONE: phone }, select: ['ID'], order: { ID: 'ASC' } }, signal);
    if (contacts[0]) return { entityType: 'contact', entityId: contacts[0].ID, externalContactId: contacts[0].ID, created: false };
    const leads = await this.client.call<{ ID: string }[]>('crm.lead.list', { filter: { PHONE: phone }, select: ['ID'], order: { ID: 'DESC' } }, signal);
    if (leads[0]) return { entityType: 'lead', entityId: leads[0].ID, externalContactId: null, created: false };
    const id = await this.client.call<number>('crm.lead.add', {
      fields: { TITLE: customer.leadTitle, NAME: customer.name ?? phone, PHONE: [{ VALUE: phone, VALUE_TYPE: 'WORK' }], ...(this.settings.sourceId ? { SOURCE_ID: this.settings.sourceId } : {}) },
    }, signal);
    return { entityType: 'lead', entityId: String(id), externalContactId: null, created: true };
  }

  async addNote(link: CrmLink, text: string, signal: AbortSignal): Promise<void> {
    await this.client.call('crm.timeline.comment.add', { fields: { ENTITY_ID: Number(link.entityId), ENTITY_TYPE: link.entityType, COMMENT: text } }, signal);
  }

  async check(signal: AbortSignal): Promise<string> {
    const fields = await this.client.call<Record<string, unknown>>('crm.lead.fields', {}, signal);
    return `portal ${this.settings.portal} (${Object.keys(fields).length} lead fields readable)`;
  }
}
