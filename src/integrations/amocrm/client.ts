import { CrmApiError, networkFailure } from '../crm-errors.js';

export interface AmoContact {
  id: number;
  name?: string;
  custom_fields_values?: { field_code?: string; values: { value: string }[] }[] | null;
  _embedded?: { leads?: { id: number }[] };
}

/**
 * A small typed client of amoCRM (Kommo) API v4 on fetch (PROTOCOLS.md 3d): `Authorization: Bearer <long-lived
 * token>`, HAL JSON answers. `pace` wraps every request (the rate pacer: one at a time per destination, spaced). Errors: 401/403 → auth,
 * 402 → permanent (account not paid), 429 → rate, 5xx/network/timeout → transient, other 4xx → permanent.
 */
export class AmoCrmClient {
  constructor(private readonly options: { baseUrl: string; token: string; timeoutMs: number; pace: <T>(fn: () => Promise<T>, signal: AbortSignal) => Promise<T> }) {}

  /** Contacts whose fields match `query` (a phone), with their leads. An empty result is an empty list (amoCRM answers 204). */
  async findContacts(query: string, signal: AbortSignal): Promise<AmoContact[]> {
    const body = await this.call<{ _embedded?: { contacts?: AmoContact[] } } | null>('GET', `/api/v4/contacts?query=${encodeURIComponent(query)}&with=leads`, undefined, 'contacts search', signal);
    return body?._embedded?.contacts ?? [];
  }

  /** Creates a lead and its contact in one call (`leads/complex`). */
  async createLeadWithContact(lead: { name: string; pipelineId?: number; statusId?: number; contactName: string; phone: string }, signal: AbortSignal): Promise<{ leadId: number; contactId: number }> {
    const body = await this.call<{ id: number; contact_id: number }[]>('POST', '/api/v4/leads/complex', [{
      name: lead.name,
      ...(lead.pipelineId !== undefined ? { pipeline_id: lead.pipelineId } : {}),
      ...(lead.statusId !== undefined ? { status_id: lead.statusId } : {}),
      _embedded: { contacts: [{ first_name: lead.contactName, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: lead.phone, enum_code: 'WORK' }] }] }] },
    }], 'leads/complex', signal);
    const created = body?.[0];
    if (!created?.id || !created.contact_id) throw new CrmApiError('amocrm', 'transient', 'amocrm leads/complex: the answer has no lead or contact id', 200);
    return { leadId: created.id, contactId: created.contact_id };
  }

  /** Creates a lead linked to an existing contact. */
  async createLeadForContact(lead: { name: string; pipelineId?: number; statusId?: number; contactId: number }, signal: AbortSignal): Promise<number> {
    const body = await this.call<{ _embedded?: { leads?: { id: number }[] } }>('POST', '/api/v4/leads', [{
      name: lead.name,
      ...(lead.pipelineId !== undefined ? { pipeline_id: lead.pipelineId } : {}),
      ...(lead.statusId !== undefined ? { status_id: lead.statusId } : {}),
      _embedded: { contacts: [{ id: lead.contactId }] },
    }], 'leads', signal);
    const id = body?._embedded?.leads?.[0]?.id;
    if (!id) throw new CrmApiError('amocrm', 'transient', 'amocrm leads: the answer has no lead id', 200);
    return id;
  }

  async addLeadNote(leadId: number, text: string, signal: AbortSignal): Promise<void> {
    await this.call('POST', '/api/v4/leads/notes', [{ entity_id: leadId, note_type: 'common', params: { text } }], 'leads/notes', signal);
  }

  async account(signal: AbortSignal): Promise<{ id: number; name: string }> {
    return this.call<{ id: number; name: string }>('GET', '/api/v4/account', undefined, 'account', signal);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, what: string, signal: AbortSignal): Promise<T> {
    const { status, text, retryAfter } = await this.options.pace(async () => {
      let response: Response;
      try {
        response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/hal+json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        return { status: response.status, text: await response.text(), retryAfter: response.headers.get('retry-after') };
      } catch (err) {
        if (signal.aborted) throw err;
        throw networkFailure('amocrm', what, err, this.options.timeoutMs);
      }
    }, signal);
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : null) as T;
    throw amoError(status, text, what, retryAfter);
  }
}

function amoError(status: number, text: string, what: string, retryAfter: string | null): CrmApiError {
  let detail = '';
  try {
    const body = JSON.parse(text) as { title?: string; detail?: string };
    detail = [body.title, body.detail].filter(Boolean).join(': ');
  } catch {
    detail = '';
  }
  const message = `amocrm ${what}: HTTP ${status}${detail ? ` (${detail.slice(0, 200)})` : ''}`;
  if (status === 401 || status === 403) return new CrmApiError('amocrm', 'auth', message, status, String(status));
  if (status === 402) return new CrmApiError('amocrm', 'permanent', `${message}: the amoCRM account is not paid`, status, '402');
  if (status === 429) return new CrmApiError('amocrm', 'rate', message, status, '429', retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 1000);
  if (status >= 500) return new CrmApiError('amocrm', 'transient', message, status, String(status));
  return new CrmApiError('amocrm', 'permanent', message, status, String(status));
}
