/** Job kinds of the integrations module. Payloads hold ids only; handlers read the rows. */
export const INTEGRATION_JOB = {
  webhookDeliver: 'integrations.webhook_deliver', // { deliveryId }
  crmSync: 'integrations.crm_sync', // { eventId, provider }
  prune: 'integrations.prune', // {}: events and their delivery log past the retention
} as const;

/** Events a CRM gets: a new request creates or finds the lead, later ones add notes. */
export const CRM_EVENTS: ReadonlySet<string> = new Set(['handover.opened', 'handover.resolved', 'booking.requested', 'booking.confirmed', 'booking.declined']);

export type CrmProvider = 'amocrm' | 'bitrix24';
export const CRM_PROVIDERS: readonly CrmProvider[] = ['amocrm', 'bitrix24'];

export const crmOrderKey = (provider: CrmProvider, contactId: number) => `crm:${provider}:contact:${contactId}`;
