import { scrubText } from '../../observability/redact.js';
import { formatAge } from '../format-age.js';
import type { Rule } from './rule.js';

/** One finding per endpoint and per CRM connection, so each fires once and resolves on its own. */
const integrationBroken: Rule = {
  id: 'integration_broken',
  title: 'Integration failing',
  forMs: 0, // set after the last delivery attempt, or by a refused credential: already certain
  evaluate(f) {
    if (!f.integrations) return null;
    return f.integrations.map((i) => {
      const since = i.since !== null ? ` for ${formatAge(f.at - i.since)}` : '';
      const detail = i.detail ? ` (${scrubText(i.detail).slice(0, 200)})` : '';
      return i.kind === 'webhook'
        ? {
          key: `${this.id}:${i.slug}:webhook:${i.id}`, subject: i.slug,
          summary: `${i.slug}: webhook ${i.id} is failing${since}${detail}; its events wait in the delivery log`,
          fix: `ask the receiver's owner to bring it back, then botctl integrations deliveries ${i.slug} --state failed and botctl integrations redeliver <id>`,
        }
        : {
          key: `${this.id}:${i.slug}:${i.kind}`, subject: i.slug,
          summary: `${i.slug}: ${i.kind} refused its credential${since}${detail}; new requests do not reach the CRM`,
          fix: i.kind === 'amocrm'
            ? `make a new long-lived token in amoCRM, then botctl integrations amocrm ${i.slug} --token <token>; botctl doctor confirms`
            : `make a new inbound webhook in Bitrix24 (scope crm), then botctl integrations bitrix24 ${i.slug} --webhook-url <url>; botctl doctor confirms`,
        };
    });
  },
};

export const INTEGRATION_RULES: readonly Rule[] = [integrationBroken];
