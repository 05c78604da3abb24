/** Where a contact's notes go in a CRM: the lead we created or found, or (Bitrix24) an existing contact. */
export interface CrmLink {
  entityType: 'lead' | 'contact';
  entityId: string;
  externalContactId: string | null;
}

export interface CrmCustomer {
  phone: string;
  name: string | null;
  /** The title of a new lead (from the tenant's desk texts). */
  leadTitle: string;
}

/**
 * One CRM as the sync job uses it. Every method makes a bounded number of calls (CRM_DESTINATIONS.maxCallsPerJob
 * over a whole job), each paced by the destination's rate, and throws CrmApiError.
 */
export interface CrmAdapter {
  /** Finds the customer by phone (and what we may have created for them before), else creates a lead. */
  findOrCreate(customer: CrmCustomer, signal: AbortSignal): Promise<CrmLink & { created: boolean }>;
  addNote(link: CrmLink, text: string, signal: AbortSignal): Promise<void>;
  /** A read-only call that proves the credential works (doctor, `integrations test`). */
  check(signal: AbortSignal): Promise<string>;
}
