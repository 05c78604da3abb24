import type { ClassifiedError } from '../jobs/errors.js';
import type { CrmProvider } from './kinds.js';

/**
 * What a CRM said, classified once here (only jobs/ decides when to retry): `auth` (bad, expired or revoked
 * credential; the connection is marked broken and nothing is retried), `rate` (over the CRM's limit; retried after
 * `retryAfterMs`), `transient` (5xx, timeouts, network), `permanent` (a request the CRM will never accept).
 * Messages name the call and the CRM's code, never the credential or the Bitrix24 webhook URL.
 */
export class CrmApiError extends Error implements ClassifiedError {
  readonly retryable: boolean;

  constructor(
    readonly provider: CrmProvider,
    readonly kind: 'auth' | 'rate' | 'transient' | 'permanent',
    message: string,
    readonly status: number | null,
    readonly code: string | null = null,
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(message);
    this.name = 'CrmApiError';
    this.retryable = kind === 'rate' || kind === 'transient';
  }

  get hint(): string {
    if (this.kind !== 'auth') return '';
    return this.provider === 'amocrm'
      ? 'make a new long-lived token in amoCRM (Settings → Integrations), then botctl integrations amocrm <slug> --token <token>'
      : 'make a new inbound webhook in Bitrix24 (Developer resources → Other → Inbound webhook, scope crm), then botctl integrations bitrix24 <slug> --webhook-url <url>';
  }
}

/** A network failure or timeout of a CRM call, as a transient CrmApiError. */
export function networkFailure(provider: CrmProvider, call: string, err: unknown, timeoutMs: number): CrmApiError {
  const e = err as { name?: string; cause?: { code?: string }; message?: string };
  const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : e.cause?.code ?? e.message ?? 'network error';
  return new CrmApiError(provider, 'transient', `${provider} ${call}: ${why}`, null);
}
