import { CrmApiError, networkFailure } from '../crm-errors.js';

/** Bitrix24 error codes that stay until the credential is fixed (PROTOCOLS.md 3d). */
const AUTH_ERRORS = new Set(['expired_token', 'invalid_token', 'NO_AUTH_FOUND', 'INVALID_CREDENTIALS', 'insufficient_scope', 'WRONG_AUTH_TYPE', 'ACCESS_DENIED']);

/**
 * A small typed client of Bitrix24 REST through an inbound webhook on fetch: `POST {webhook url}{method}.json`
 * with JSON, answers `{result}` or `{error, error_description}`. The webhook URL is the whole credential: it is
 * never put in an error message. QUERY_LIMIT_EXCEEDED (HTTP 503) → rate; auth codes → auth; 5xx → transient.
 */
export class Bitrix24Client {
  constructor(private readonly options: { webhookUrl: string; timeoutMs: number; pace: <T>(fn: () => Promise<T>, signal: AbortSignal) => Promise<T> }) {}

  async call<T>(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    const base = this.options.webhookUrl.endsWith('/') ? this.options.webhookUrl : `${this.options.webhookUrl}/`;
    const response = await this.options.pace(async () => {
      try {
        const answer = await fetch(`${base}${method}.json`, {
          method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(params),
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        return { ok: answer.ok, status: answer.status, text: await answer.text() };
      } catch (err) {
        if (signal.aborted) throw err;
        throw networkFailure('bitrix24', method, err, this.options.timeoutMs);
      }
    }, signal);
    const text = response.text;
    type Answer = { result?: T; error?: string; error_description?: string };
    let body: Answer | null;
    try {
      body = text ? (JSON.parse(text) as Answer) : null;
    } catch {
      body = null;
    }
    if (response.ok && body && !body.error) return body.result as T;
    const code = body?.error ?? null;
    const message = `bitrix24 ${method}: HTTP ${response.status}${code ? ` ${code}` : ''}${body?.error_description ? ` (${String(body.error_description).slice(0, 200)})` : ''}`;
    if (code === 'QUERY_LIMIT_EXCEEDED') throw (new CrmApiError('bitrix24', 'rate', message, response.status, code, 1000));
    if ((code && AUTH_ERRORS.has(code)) || response.status === 401) throw (new CrmApiError('bitrix24', 'auth', message, response.status, code));
    if (response.status >= 500 || response.status === 429) throw (new CrmApiError('bitrix24', 'transient', message, response.status, code));
    throw (new CrmApiError('bitrix24', 'permanent', message, response.status, code));
  }
}
