import type { Job } from '../jobs/types.js';

/**
 * "Forget me" in the product's languages: a small intent classifier (a request to forget, or to delete or erase
 * the customer's own data), not a list of exact phrases. A question about the policy ("do you delete data?") is
 * not a request: it needs a first-person object ("me", "my data").
 */
const FORGET_PATTERNS = [
  /\b(?:forget|erase|delete|remove)\s+(?:about\s+)?(?:me|my\s+(?:data|details|information|number|personal))/iu,
  /(?:^|[^\p{L}])забуд\p{L}*\s+(?:обо\s+)?(?:мне|меня)/iu,
  /(?:^|[^\p{L}])(?:удал|сотр)\p{L}*\s+(?:вс[еёюя]\p{L}*\s+)?(?:мои|мой|мою|моя|обо\s+мне|меня)(?!\p{L})/iu,
  /(?:мені|мен\s+туралы)\s+ұмыт\p{L}*/iu,
  /(?:ұмыт\p{L}*\s+мені)/iu,
  /(?:деректерімді|мәліметтерімді|нөмірімді)\s+(?:жой|өшір)\p{L}*/iu,
];

export function asksToBeForgotten(texts: readonly string[]): boolean {
  return texts.some((t) => FORGET_PATTERNS.some((p) => p.test(t)));
}

/** What forgetting a customer removes: counted per table, for the audit log. */
export interface ForgetReport {
  memory: boolean;
  messages: number;
  bookings: number;
  handovers: number;
}

export interface ForgetStore {
  /** Removes the contact's memory and personal data (one transaction); null when the contact does not exist. */
  forget(tenantId: number, contactId: number, now: number): ForgetReport | null;
}

export interface AuditPort {
  record(entry: { at: number; actor: string; action: string; tenantId: number | null; tenantSlug: string | null; detail: Record<string, unknown> }): void;
}

/** The durable job: forget the customer, and audit it (without their data: the contact id and what was removed). */
export function forgetContactJob(job: Job, deps: { store: ForgetStore; audit: AuditPort; clock: () => number }): ForgetReport | null {
  if (job.tenantId === null) return null;
  const contactId = Number(job.payload.contactId);
  const now = deps.clock();
  const report = deps.store.forget(job.tenantId, contactId, now);
  if (report) deps.audit.record({ at: now, actor: String(job.payload.actor ?? 'customer'), action: 'contact.forget', tenantId: job.tenantId, tenantSlug: null, detail: { contactId, ...report } });
  return report;
}
