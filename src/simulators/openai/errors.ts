import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../local-http/http.js';
import type { ErrorStep } from './types.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

// Type, code and wording as the real API sends them for each status, so the SDK builds the same
// error class (it picks it by status) with the same `type`/`code` the application may look at.
const DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again later.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later' },
};

export function errorBody(status: number, message?: string, overrides: Partial<OpenAIErrorBody['error']> = {}): OpenAIErrorBody {
  const base = DEFAULTS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `Error ${status}` };
  return { error: { message: message ?? base.message, type: base.type, code: base.code, param: null, ...overrides } };
}

export function requestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

/** Writes an error envelope; `retry-after` (seconds) goes out only when the step asks for it. */
export function sendError(res: ServerResponse, step: ErrorStep, overrides: Partial<OpenAIErrorBody['error']> = {}): void {
  const headers: Record<string, string> = { 'x-request-id': requestId() };
  if (step.retryAfterSeconds !== undefined) headers['retry-after'] = String(step.retryAfterSeconds);
  sendJson(res, step.status, errorBody(step.status, step.message, overrides), headers);
}

export function sendBadRequest(res: ServerResponse, message: string, param: string | null = null, code: string | null = null): void {
  sendError(res, { status: 400, message }, { param, code });
}
