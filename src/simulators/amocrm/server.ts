import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, sendJson, sleep, stillOpen } from '../local-http/http.js';
import { RateWindow } from '../local-http/rate-window.js';

export interface AmoRecordedRequest { method: string; path: string; query: Record<string, string>; body: unknown; status: number; at: number }
export interface AmoLead { id: number; name: string; pipeline_id: number; status_id: number; contactIds: number[] }
export interface AmoContactRecord { id: number; name: string; first_name: string; phones: string[] }
export interface AmoNote { id: number; entity_id: number; note_type: string; text: string }
/** What the next matching request gets instead of its answer. `hang-after` performs the write, then never answers. */
export type AmoFault = { status: 401 | 402 | 429 | 500 | 503 } | { hang: true } | { hangAfterWrite: true };

export interface AmoCrmSimulator {
  url: string;
  token: string;
  contacts: AmoContactRecord[];
  leads: AmoLead[];
  notes: AmoNote[];
  requests: AmoRecordedRequest[];
  rate: RateWindow;
  /** The next `times` requests whose path starts with `pathPrefix` (any when omitted) get `fault`. */
  fail(fault: AmoFault, options?: { times?: number; pathPrefix?: string; method?: string }): void;
  close(): Promise<void>;
}

const DEFAULT_PIPELINE = 7000;
const DEFAULT_STATUS = 142000;
const digits = (text: string) => text.replace(/\D/g, '');

/**
 * amoCRM (Kommo) API v4 on its wire format (PROTOCOLS.md 3d): bearer token, contacts search (`query`, `with=leads`,
 * 204 when nothing matches), `leads/complex`, `leads`, `leads/notes`, `account`; HAL answers; problem+json errors;
 * 401 for a wrong token; 429 above `perSecond` requests in any second. It records every request.
 */
export async function startAmoCrmSimulator(options: { token?: string; perSecond?: number; port?: number } = {}): Promise<AmoCrmSimulator> {
  const token = options.token ?? `amo-long-lived-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const contacts: AmoContactRecord[] = [];
  const leads: AmoLead[] = [];
  const notes: AmoNote[] = [];
  const requests: AmoRecordedRequest[] = [];
  const rate = new RateWindow(options.perSecond ?? 7);
  const faults: { fault: AmoFault; times: number; pathPrefix?: string; method?: string }[] = [];
  let nextId = 1000;
  let baseUrl = '';

  const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
    if (stillOpen(res)) {
      res.writeHead(status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title, type: 'https://httpstatus.es/' + status, status, detail }));
    }
  };
  const contactHal = (c: AmoContactRecord, withLeads: boolean) => ({
    id: c.id, name: c.name, first_name: c.first_name,
    custom_fields_values: [{ field_id: 1, field_name: 'Телефон', field_code: 'PHONE', field_type: 'multitext', values: c.phones.map((p) => ({ value: p, enum_id: 1, enum_code: 'WORK' })) }],
    _links: { self: { href: `${baseUrl}/api/v4/contacts/${c.id}` } },
    _embedded: { tags: [], companies: [], ...(withLeads ? { leads: leads.filter((l) => l.contactIds.includes(c.id)).map((l) => ({ id: l.id, _links: { self: { href: `${baseUrl}/api/v4/leads/${l.id}` } } })) } : {}) },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = (await readBody(req, 1_000_000)).toString('utf8');
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return problem(res, 400, 'Bad Request', 'the body is not JSON');
    }
    const record: AmoRecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body, status: 0, at: Date.now() };
    requests.push(record);
    const answer = (status: number, json?: unknown) => {
      record.status = status;
      if (status === 204) {
        if (stillOpen(res)) res.writeHead(204).end();
        return;
      }
      sendJson(res, status, json, { 'content-type': 'application/hal+json' });
    };
    if (rate.hit()) {
      record.status = 429;
      return problem(res, 429, 'Too Many Requests', 'the limit of requests per second is exceeded');
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      record.status = 401;
      return problem(res, 401, 'Unauthorized', 'the access token is invalid or expired');
    }
    const faultIndex = faults.findIndex((f) => f.times > 0 && (!f.pathPrefix || url.pathname.startsWith(f.pathPrefix)) && (!f.method || f.method === req.method));
    let hangAfterWrite = false;
    if (faultIndex >= 0) {
      const f = faults[faultIndex]!;
      f.times--;
      if ('status' in f.fault) {
        record.status = f.fault.status;
        return problem(res, f.fault.status, f.fault.status === 402 ? 'Payment Required' : 'Error', 'simulated failure');
      }
      if ('hang' in f.fault) {
        while (stillOpen(res)) await sleep(50);
        return;
      }
      hangAfterWrite = true;
    }
    const reply = async (status: number, json?: unknown) => {
      if (!hangAfterWrite) return answer(status, json);
      record.status = -1; // the write happened; the caller never hears of it
      while (stillOpen(res)) await sleep(50);
    };

    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/v4/account') return reply(200, { id: 31000001, name: 'Simulated account', subdomain: 'sim', _links: { self: { href: `${baseUrl}/api/v4/account` } } });
    if (route === 'GET /api/v4/contacts') {
      const query = url.searchParams.get('query') ?? '';
      const q = digits(query);
      const found = contacts.filter((c) => (q.length >= 5 && c.phones.some((p) => digits(p).includes(q))) || (query && c.name.includes(query)));
      if (found.length === 0) return reply(204);
      const withLeads = (url.searchParams.get('with') ?? '').split(',').includes('leads');
      return reply(200, { _page: 1, _links: { self: { href: `${baseUrl}/api/v4/contacts` } }, _embedded: { contacts: found.map((c) => contactHal(c, withLeads)) } });
    }
    if (!Array.isArray(body) || body.length === 0) return problem(res, 400, 'Bad Request', 'the body must be a non-empty array');
    if (route === 'POST /api/v4/leads/complex') {
      const out = (body as { name?: string; pipeline_id?: number; status_id?: number; _embedded?: { contacts?: { first_name?: string; custom_fields_values?: { field_code?: string; values?: { value?: string }[] }[] }[] } }[]).map((lead, i) => {
        const embedded = lead._embedded?.contacts ?? [];
        if (embedded.length > 1) throw new Error('leads/complex takes one contact at most');
        const c = embedded[0];
        let contactId: number | null = null;
        if (c) {
          const phones = (c.custom_fields_values ?? []).filter((f) => f.field_code === 'PHONE').flatMap((f) => (f.values ?? []).map((v) => String(v.value ?? '')));
          contactId = ++nextId;
          contacts.push({ id: contactId, name: c.first_name ?? '', first_name: c.first_name ?? '', phones });
        }
        const id = ++nextId;
        leads.push({ id, name: lead.name ?? `Сделка #${id}`, pipeline_id: lead.pipeline_id ?? DEFAULT_PIPELINE, status_id: lead.status_id ?? DEFAULT_STATUS, contactIds: contactId ? [contactId] : [] });
        return { id, contact_id: contactId, company_id: null, request_id: [String(i)], merged: false };
      });
      return reply(200, out);
    }
    if (route === 'POST /api/v4/leads') {
      const created = (body as { name?: string; pipeline_id?: number; status_id?: number; _embedded?: { contacts?: { id: number }[] } }[]).map((lead, i) => {
        const contactIds = (lead._embedded?.contacts ?? []).map((c) => c.id);
        if (contactIds.some((id) => !contacts.some((c) => c.id === id))) throw new Error(`no contact ${contactIds.join(',')}`);
        const id = ++nextId;
        leads.push({ id, name: lead.name ?? `Сделка #${id}`, pipeline_id: lead.pipeline_id ?? DEFAULT_PIPELINE, status_id: lead.status_id ?? DEFAULT_STATUS, contactIds });
        return { id, request_id: String(i), _links: { self: { href: `${baseUrl}/api/v4/leads/${id}` } } };
      });
      return reply(200, { _links: { self: { href: `${baseUrl}/api/v4/leads` } }, _embedded: { leads: created } });
    }
    if (route === 'POST /api/v4/leads/notes') {
      const created = (body as { entity_id: number; note_type: string; params?: { text?: string } }[]).map((n, i) => {
        if (!leads.some((l) => l.id === n.entity_id)) return null;
        const id = ++nextId;
        notes.push({ id, entity_id: n.entity_id, note_type: n.note_type, text: n.params?.text ?? '' });
        return { id, entity_id: n.entity_id, request_id: String(i), _links: { self: { href: `${baseUrl}/api/v4/leads/${n.entity_id}/notes/${id}` } } };
      });
      if (created.includes(null)) return problem(res, 400, 'Bad Request', 'entity_id: lead not found');
      return reply(200, { _links: { self: { href: `${baseUrl}/api/v4/leads/notes` } }, _embedded: { notes: created } });
    }
    return problem(res, 404, 'Not Found', `no route ${route}`);
  }

  const { server, port } = await listenLocal(handle, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl, token, contacts, leads, notes, requests, rate,
    fail(fault, o = {}) {
      faults.push({ fault, times: o.times ?? 1, ...(o.pathPrefix ? { pathPrefix: o.pathPrefix } : {}), ...(o.method ? { method: o.method } : {}) });
    },
    close: () => closeServer(server),
  };
}
