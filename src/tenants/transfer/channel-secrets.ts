import { UserError } from '../../errors.js';
import { SECRET_CONTEXT } from '../tenant-service.js';

/** The secret fields of a channel account, with the associated data each is sealed under at rest in a cell. */
const CONTEXTS: Record<string, Record<'access_token' | 'app_secret', (slug: string) => string>> = {
  whatsapp: { access_token: SECRET_CONTEXT.whatsappToken, app_secret: SECRET_CONTEXT.whatsappAppSecret },
};

export const SECRET_FIELDS = ['access_token', 'app_secret'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

/** Where a channel account's secret is bound at rest (`tenant:<slug>:whatsapp.access_token`). */
export function atRestContext(channel: string, field: SecretField, slug: string): string {
  const contexts = CONTEXTS[channel];
  if (!contexts) throw new UserError(`botctl does not know how to move a ${channel} account yet`, `remove it from the tenant before the move, or upgrade botctl`);
  return contexts[field](slug);
}

/** The name a secret is sealed under in an export file (the transport box adds the tenant). */
export function transportField(channel: string, field: SecretField): string {
  return `${channel}.${field}`;
}
