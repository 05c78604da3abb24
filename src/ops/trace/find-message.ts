import { cut } from '../../observability/cut.js';
import { UserError } from '../../errors.js';
import type { TraceLookupStore, TracedMessage } from '../../storage/trace-lookup-store.js';

export type QueryKind = 'wamid' | 'message' | 'phone' | 'trace';

export interface Found {
  kind: QueryKind;
  /** The message whose path is printed: the customer's message when the query named our reply to it. */
  message: TracedMessage;
  /** The message the query named, when it is not `message` (a reply's wamid or id). */
  asked: TracedMessage | null;
  /** For a phone: the customer's latest messages, newest first. */
  recent: TracedMessage[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECENT = 10;
/** A business-scoped user id: how WhatsApp names a customer who hides their number behind a username. */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;

/**
 * Reads what the operator typed: a trace id (UUID), a phone (`+` or 10+ digits) or a customer's business-scoped user
 * id (`KZ.1502…`), our message id (fewer digits), else a WhatsApp message id (wamid). Digits are tried both ways, so a short phone or a long id still resolve.
 */
export function findMessage(store: TraceLookupStore, raw: string, options: { tenant?: string } = {}): Found {
  const query = raw.trim();
  if (!query) throw new UserError('nothing to trace', 'give a wamid, a message id (botctl logs shows them) or the customer\'s phone');
  if (UUID.test(query)) return pick('trace', store.byTrace([query.toLowerCase()]), options, store) ?? notFound('trace', query, options);

  if (BSUID.test(query)) return byPhone(store, query, options) ?? notFound('phone', query, options);
  const digits = query.replace(/[\s()+-]/g, '');
  if (/^\d+$/.test(digits)) {
    const phoneFirst = query.startsWith('+') || digits.length >= 10;
    const asPhone = () => byPhone(store, digits, options);
    const asId = () => (digits.length <= 15 ? pick('message', [store.byId(Number(digits))].filter((m): m is TracedMessage => m !== null), options, store) : null);
    const found = phoneFirst ? (asPhone() ?? asId()) : (asId() ?? asPhone());
    return found ?? notFound(phoneFirst ? 'phone' : 'message', phoneFirst ? digits : query, options);
  }
  return pick('wamid', store.byWamid(query), options, store) ?? notFound('wamid', query, options);
}

function byPhone(store: TraceLookupStore, digits: string, options: { tenant?: string }): Found | null {
  const recent = store.recentInboundOfPhone(digits, RECENT, options.tenant);
  if (recent.length === 0) return null;
  return { kind: 'phone', message: recent[0]!, asked: null, recent };
}

/** The first match in the tenant asked for; our reply is traced through the customer message it answered. */
function pick(kind: QueryKind, matches: TracedMessage[], options: { tenant?: string }, store: TraceLookupStore): Found | null {
  const candidates = matches.filter((m) => !options.tenant || m.tenantSlug === options.tenant);
  const asked = candidates.find((m) => m.direction === 'inbound') ?? candidates[0];
  if (!asked) return null;
  if (asked.direction === 'inbound') return { kind, message: asked, asked: null, recent: [] };
  const inbound = store.byTrace([asked.traceId]).find((m) => m.direction === 'inbound');
  return { kind, message: inbound ?? asked, asked: inbound ? asked : null, recent: [] };
}

function notFound(kind: QueryKind, value: string, options: { tenant?: string }): never {
  const where = options.tenant ? `in tenant ${options.tenant}` : 'in any tenant';
  const retry = options.tenant ? '; without --tenant every tenant is searched' : '';
  switch (kind) {
    case 'phone':
      throw new UserError(`no customer with phone ${value} ${where} has written (searched contacts by WhatsApp id and phone)`,
        `write the number with its country code as WhatsApp sends it (e.g. +77011234567); a customer who never wrote has no messages${retry}`);
    case 'message':
      throw new UserError(`there is no message #${value} ${where}`, `botctl trace <the customer's phone> lists their messages with our ids; or trace by wamid${retry}`);
    case 'trace':
      throw new UserError(`no message has trace id ${value} ${where}`, `copy the trace id from botctl logs (field "trace"); or trace by wamid or the customer's phone${retry}`);
    case 'wamid':
      throw new UserError(`no message with WhatsApp id "${cut(value, 80)}" ${where} (searched inbound and outbound messages)`,
        `copy the wamid from Meta's webhook or botctl logs (it starts with "wamid."); or trace by our message id or the customer's phone${retry}`);
  }
}
