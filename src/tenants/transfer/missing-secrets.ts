import { describeUrl } from '../../integrations/webhook-deliver.js';
import type { ParsedTransfer } from './read-transfer-file.js';
import type { IdMaps } from './write-tenant-rows.js';

/** Something that arrived without its secret (the file was exported without secrets), and how to set it. */
export interface MissingSecret {
  /** "whatsapp 1000001", "telegram customer bot 123456789", "webhook endpoint 4 (https://…/hooks)", "amocrm connection". */
  subject: string;
  /** "token", "signing secret", "credential". */
  secret: string;
  fix: string;
}

/** Every account, endpoint and CRM connection of a file without secrets, named with this cell's ids. */
export function missingSecrets(parsed: ParsedTransfer, maps: IdMaps): MissingSecret[] {
  const slug = String(parsed.records.tenant[0]!.row.slug);
  const out: MissingSecret[] = [];
  for (const { row } of parsed.records.channel_account) {
    const id = String(row.external_id);
    if (row.channel === 'whatsapp') out.push({ subject: `whatsapp ${id}`, secret: 'token', fix: `set it with botctl tenant update ${slug} --whatsapp-token … before pointing the webhook here` });
    else if (row.channel === 'instagram') out.push({ subject: `instagram ${id}`, secret: 'token', fix: `set it with botctl tenant update ${slug} --instagram-token … before pointing the Instagram webhook here` });
    else out.push({ subject: `telegram customer bot ${id}`, secret: 'token', fix: `set it with botctl tenant update ${slug} --telegram-customer-bot-token …; until then the bot is not connected to this cell` });
  }
  for (const { row } of parsed.records.webhook_endpoint) {
    const id = maps.webhook_endpoint.get(row.id as number)!;
    out.push({
      subject: `webhook endpoint ${id} (${describeUrl(String(row.url))})`, secret: 'signing secret',
      fix: `a new one was made here that nobody knows yet: run botctl integrations webhook rotate-secret ${slug} ${id} --overlap 0s and give the receiver the secret it prints`,
    });
  }
  for (const { row } of parsed.records.crm_connection) {
    const set = row.provider === 'amocrm' ? `botctl integrations amocrm ${slug} --token …` : `botctl integrations bitrix24 ${slug} --webhook-url …`;
    out.push({ subject: `${String(row.provider)} connection`, secret: 'credential', fix: `it is marked broken until you set it with ${set}; the events of this cell are held until then and sent once it is set` });
  }
  return out;
}
