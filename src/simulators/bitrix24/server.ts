import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, sendJson, sleep, stillOpen } from '../local-http/http.js';
import { RateWindow } from '../local-http/rate-window.js';

export interface BitrixRecordedRequest { method: string; params: Record<string, unknown>; status: number; error: string | null; at: number }
export interface BitrixLead { ID: string; TITLE: string; NAME: string; PHONE: string[]; SOURCE_ID: string | null }
export interface BitrixContact { ID: string; NAME: string; PHONE: string[] }
export interface BitrixComment { ID: string; ENTITY_ID: number; ENTITY_TYPE: string; COMMENT: string }
/** What the next matching call gets instead of its answer; `hangAfterWrite` performs the write, then never answers. */
export type BitrixFault = { error: 'QUERY_LIMIT_EXCEEDED' | 'expired_token' | 'NO_AUTH_FOUND' | 'INTERNAL_SERVER_ERROR' } | { hang: true } | { hangAfterWrite: true };

export interface Bitrix24Simulator {
  /** The inbound webhook URL (the credential), ending in `/`. */
  webhookUrl: string;
  leads: BitrixLead[];
  contacts: BitrixContact[];
  comments: BitrixComment[];
  requests: BitrixRecordedRequest[];
  rate: RateWindow;
  addContact(name: string, phone: string): string;
  fail(fault: BitrixFault, options?: { times?: number; method?: string }): void;
  close(): Promise<void>;
}

const STATUS: Record<string, number> = { QUERY_LIMIT_EXCEEDED: 503, expired_token: 401, NO_AUTH_FOUND: 401, INTERNAL_SERVER_ERROR: 500 };
const digits = (text: string) => text.replace(/\D/g, '');

/**
 * Bitrix24 REST through an inbound webhook (PROTOCOLS.md 3d): `POST /rest/<user>/<secret>/<method>.json` with JSON;
 * `{result, time}` or `{error, error_description}`; a wrong secret is 401 NO_AUTH_FOUND; more than `perSecond`
 * calls in any second is 503 QUERY_LIMIT_EXCEEDED. Methods: crm.contact.list, crm.lead.list (filter PHONE),
 * crm.lead.add, crm.timeline.comment.add, crm.lead.fields. Records every call.
 */
export async function startBitrix24Simulator(options: { perSecond?: number; port?: number; userId?: number; secret?: string } = {}): Promise<Bitrix24Simulator> {
  const userId = options.userId ?? 1;
  const secret = options.secret ?? `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`.slice(0, 16);
  const leads: BitrixLead[] = [];
  const contacts: BitrixContact[] = [];
  const comments: BitrixComment[] = [];
  const requests: BitrixRecordedRequest[] = [];
  const rate = new RateWindow(options.perSecond ?? 2);
  const faults: { fault: BitrixFault; times: number; method?: string }[] = [];
  let nextId = 100;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/rest\/(\d+)\/([^/]+)\/([a-z0-9_.]+)\.json$/i.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    const raw = (await readBody(req, 1_000_000)).toString('utf8');
    let params: Record<string, unknown> = {};
    try {
      params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, { error: 'INVALID_REQUEST', error_description: 'the body is not JSON' });
    }
    const method = match?.[3] ?? '';
    const record: BitrixRecordedRequest = { method, params, status: 0, error: null, at: Date.now() };
    requests.push(record);
    const error = (status: number, code: string, description: string) => {
      record.status = status;
      record.error = code;
      sendJson(res, status, { error: code, error_description: description });
    };
    if (rate.hit()) return error(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    if (!match || Number(match[1]) !== userId || match[2] !== secret) return error(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    const faultIndex = faults.findIndex((f) => f.times > 0 && (!f.method || f.method === method));
    let hangAfterWrite = false;
    if (faultIndex >= 0) {
      const f = faults[faultIndex]!;
      f.times--;
      if ('error' in f.fault) return error(STATUS[f.fault.error]!, f.fault.error, f.fault.error === 'expired_token' ? 'The access token provided has expired.' : 'simulated failure');
      if ('hang' in f.fault) {
        while (stillOpen(res)) await sleep(50);
        return;
      }
      hangAfterWrite = true;
    }
    const result = async (value: unknown, extra: Record<string, unknown> = {}) => {
      if (hangAfterWrite) {
        record.status = -1;
        while (stillOpen(res)) await sleep(50);
        return;
      }
      record.status = 200;
      sendJson(res, 200, { result: value, ...extra, time: { start: Date.now() / 1000, duration: 0.01 } });
    };
    const filterPhone = () => digits(String((params.filter as { PHONE?: string } | undefined)?.PHONE ?? ''));
    const fields = (params.fields ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'crm.contact.list': {
        const found = contacts.filter((c) => filterPhone() && c.PHONE.some((p) => digits(p) === filterPhone())).map((c) => ({ ID: c.ID }));
        return result(found, { total: found.length });
      }
      case 'crm.lead.list': {
        const found = leads.filter((l) => filterPhone() && l.PHONE.some((p) => digits(p) === filterPhone())).map((l) => ({ ID: l.ID }));
        const desc = (params.order as { ID?: string } | undefined)?.ID === 'DESC';
        return result(desc ? found.reverse() : found, { total: found.length });
      }
      case 'crm.lead.add': {
        if (!fields.TITLE) return error(400, 'ERROR_CORE', 'TITLE is required');
        const id = String(++nextId);
        const phones = Array.isArray(fields.PHONE) ? (fields.PHONE as { VALUE?: string }[]).map((p) => String(p.VALUE ?? '')) : [];
        leads.push({ ID: id, TITLE: String(fields.TITLE), NAME: String(fields.NAME ?? ''), PHONE: phones, SOURCE_ID: fields.SOURCE_ID ? String(fields.SOURCE_ID) : null });
        return result(Number(id));
      }
      case 'crm.timeline.comment.add': {
        const type = String(fields.ENTITY_TYPE ?? '');
        const id = Number(fields.ENTITY_ID);
        const exists = type === 'lead' ? leads.some((l) => Number(l.ID) === id) : type === 'contact' ? contacts.some((c) => Number(c.ID) === id) : false;
        if (!exists) return error(400, 'ERROR_ENTITY_NOT_FOUND', `${type} ${id} not found`);
        const commentId = String(++nextId);
        comments.push({ ID: commentId, ENTITY_ID: id, ENTITY_TYPE: type, COMMENT: String(fields.COMMENT ?? '') });
        return result(Number(commentId));
      }
      case 'crm.lead.fields':
        return result({ ID: { type: 'integer' }, TITLE: { type: 'string' }, NAME: { type: 'string' }, PHONE: { type: 'crm_multifield' }, SOURCE_ID: { type: 'crm_status' } });
      default:
        return error(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    }
  }

  const { server, port } = await listenLocal(handle, options.port ?? 0);
  return {
    webhookUrl: `http://127.0.0.1:${port}/rest/${userId}/${secret}/`,
    leads, contacts, comments, requests, rate,
    addContact(name, phone) {
      const id = String(++nextId);
      contacts.push({ ID: id, NAME: name, PHONE: [phone] });
      return id;
    },
    fail(fault, o = {}) {
      faults.push({ fault, times: o.times ?? 1, ...(o.method ? { method: o.method } : {}) });
    },
    close: () => closeServer(server),
  };
}
