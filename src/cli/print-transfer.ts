import type { Family } from '../tenants/transfer/format.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a tenant export holds, in one line for people: "2 prompt versions, 3 knowledge sources (41 chunks), …". */
export function describeCounts(counts: Record<Family, number>, openHandovers?: number): string {
  return [
    plural(counts.prompt, 'prompt version'),
    `${plural(counts.kb_source, 'knowledge source')} (${plural(counts.kb_chunk, 'chunk')})`,
    plural(counts.contact, 'contact'),
    plural(counts.message, 'message'),
    `${plural(counts.handover, 'handover')}${openHandovers ? ` (${openHandovers} open)` : ''}`,
    plural(counts.llm_call, 'LLM call record'),
    plural(counts.service, 'service'),
    plural(counts.booking, 'booking'),
    plural(counts.offer, 'offer'),
    plural(counts.webhook_endpoint, 'webhook endpoint'),
    plural(counts.crm_connection, 'CRM connection'),
    plural(counts.audit, 'audit entry', 'audit entries'),
  ].join(', ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
