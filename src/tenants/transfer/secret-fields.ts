import { UserError } from '../../errors.js';
import { INTEGRATION_SECRET } from '../../integrations/secret-contexts.js';
import { SECRET_CONTEXT } from '../tenant-service.js';
import { FAMILIES, SPECS, type Family, type TransferRow } from './format.js';

/** The fields of a family that hold secrets: stored sealed in `<field>_enc` columns, carried sealed with the passphrase. */
export function secretFields(family: Family): string[] {
  return Object.entries(SPECS[family].fields).filter(([, type]) => type === 'secret?').map(([field]) => field);
}

/** channel_account, webhook_endpoint, crm_connection. */
export const SECRET_FAMILIES: readonly Family[] = FAMILIES.filter((f) => secretFields(f).length > 0);

/** Where a channel account's secret is bound at rest, per channel and field (as the commands that set them seal them). */
const CHANNEL_CONTEXTS: Readonly<Record<string, Partial<Record<string, (slug: string) => string>>>> = {
  whatsapp: { access_token: SECRET_CONTEXT.whatsappToken, app_secret: SECRET_CONTEXT.whatsappAppSecret },
  instagram: { access_token: SECRET_CONTEXT.instagramToken },
  telegram: { access_token: SECRET_CONTEXT.telegramCustomerBotToken },
};

/**
 * The associated data a secret is sealed under at rest in a cell (`tenant:<slug>:whatsapp.access_token`). `id` is
 * the row's id on that cell: a webhook endpoint's secrets are bound to it, so they are sealed again under the new id.
 */
export function atRestContext(family: Family, row: TransferRow, field: string, slug: string, id: number): string {
  switch (family) {
    case 'channel_account': {
      const context = CHANNEL_CONTEXTS[String(row.channel)]?.[field];
      if (!context) throw new UserError(`botctl does not know how to move the ${field} of a ${String(row.channel)} account`, 'remove it from the tenant before the move, or upgrade botctl');
      return context(slug);
    }
    case 'webhook_endpoint':
      return INTEGRATION_SECRET.webhook(slug, id);
    case 'crm_connection':
      return INTEGRATION_SECRET.crm(slug, String(row.provider));
    default:
      throw new Error(`the ${family} records hold no secrets`);
  }
}

/**
 * The name a secret is sealed under in an export file (the transport box adds the tenant), so a sealed value moved
 * to another field or another row's line does not open. Channel accounts keep the names of versions 1 and 2.
 */
export function transportField(family: Family, row: TransferRow, field: string): string {
  switch (family) {
    case 'channel_account':
      return `${String(row.channel)}.${field}`;
    case 'webhook_endpoint':
      return `webhook.${String(row.id)}.${field}`;
    case 'crm_connection':
      return `${String(row.provider)}.${field}`;
    default:
      throw new Error(`the ${family} records hold no secrets`);
  }
}

/** How a secret is named in messages (never its value): "the whatsapp access_token", "the amocrm secret". */
export function describeSecret(family: Family, row: TransferRow, field: string): string {
  const owner = family === 'channel_account' ? String(row.channel) : family === 'crm_connection' ? String(row.provider) : `webhook ${String(row.id)}`;
  return `the ${owner} ${field}`;
}
