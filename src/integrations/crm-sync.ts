import { PermanentJobError } from '../jobs/errors.js';
import type { Job } from '../jobs/types.js';
import type { Logger } from '../observability/logger.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Provider, SqlCrmStore } from '../storage/integration-crm-store.js';
import { openCrm } from './crm-connect.js';
import { CrmApiError } from './crm-errors.js';
import { crmTexts } from './crm-notes.js';
import type { WebhookPayload } from './payloads.js';
import type { RatePacer } from './rate-pacer.js';

/**
 * The CRM sync job for one event and one CRM. The contact's first event finds the customer by phone or creates a
 * lead, and the link is committed at once; every event then adds a note to that lead (or contact). Duplicates:
 * the stored link means later events never search again, and a retry after a crash between the CRM's answer and
 * our commit searches by phone before creating, so it finds what the lost attempt created (decision 0029).
 * A credential the CRM refuses marks the connection broken from this event on (watch alerts once) and ends the
 * job: nothing is retried in a loop; later events wait, and are sent again when the operator sets a working
 * credential (CrmAdmin).
 */
export class CrmSync {
  constructor(private readonly deps: { store: SqlCrmStore; secrets: SecretBox; pacer: RatePacer; clock: () => number }) {}

  async run(job: Job, signal: AbortSignal, logger: Logger): Promise<void> {
    const { store, clock } = this.deps;
    const provider = job.payload.provider as Provider;
    const event = store.event(Number(job.payload.eventId));
    if (!event) return; // removed with its tenant
    const conn = store.connection(event.tenantId, provider);
    if (!conn) return; // the tenant disconnected this CRM since
    if (conn.status === 'broken') {
      logger.warn({ provider, event: event.id }, `${provider} connection of ${event.tenantSlug} is broken; event held until a working credential is set (botctl integrations ${provider} ${event.tenantSlug})`);
      return;
    }
    const texts = crmTexts(JSON.parse(event.payload) as WebhookPayload, event.tenantLocale);
    if (!texts?.contact.phone) return; // a customer without a phone number cannot be matched in a CRM
    const crm = openCrm(conn, this.deps.secrets, this.deps.pacer);
    try {
      let link = store.link(event.tenantId, provider, event.contactId);
      if (!link) {
        const found = await crm.findOrCreate({ phone: texts.contact.phone, name: texts.contact.name, leadTitle: texts.leadTitle }, signal);
        link = { entityType: found.entityType, entityId: found.entityId, externalContactId: found.externalContactId };
        store.saveLink({ tenantId: event.tenantId, provider, contactId: event.contactId, link, now: clock() });
        logger.info({ provider, entity: found.entityType, id: found.entityId, created: found.created }, `${provider}: customer linked`);
      }
      await crm.addNote(link, texts.note, signal);
    } catch (err) {
      if (signal.aborted || !(err instanceof CrmApiError)) throw err;
      if (err.kind === 'auth') {
        if (store.markBroken(event.tenantId, provider, err.message, event.id, clock())) logger.error({ provider, status: err.status }, `${provider} refused the credential of ${event.tenantSlug}; the connection is marked broken`);
        return;
      }
      if (err.kind === 'permanent') throw new PermanentJobError(err.message, err.hint || undefined);
      throw err;
    }
  }
}
