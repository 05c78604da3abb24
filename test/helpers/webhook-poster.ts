import { encodeLikeMeta, inboundNotification, signWebhook, textMessage } from '../fakes/whatsapp.js';
import { APP_SECRET } from './pipeline-cell.js';

export interface Inbound {
  /** The wamid Meta gave the message: the same on every retry, so the cell can drop duplicates. */
  id: string;
  from: string;
  body: string;
  phoneNumberId: string;
}

export interface PostResult {
  /** HTTP requests made for this message (1 when the first one got its 200). */
  attempts: number;
  /** Attempts that failed because nothing answered: connection refused or reset, no response in time. */
  networkFailures: number;
}

/**
 * Delivers one signed webhook the way Meta does: until it gets a 200, retrying what a restarting worker causes
 * (connection refused or reset, a timeout, a 5xx). Only the 200 counts as acknowledged. A 4xx is a bug: thrown.
 */
export async function postUntilAcked(baseUrl: () => string, message: Inbound, options: { deadline: number; retryDelayMs?: number; secret?: string }): Promise<PostResult> {
  const raw = encodeLikeMeta(inboundNotification({
    phoneNumberId: message.phoneNumberId,
    messages: [textMessage({ from: message.from, body: message.body, id: message.id })],
    contacts: [{ waId: message.from, name: 'Клиент' }],
  }));
  const signature = signWebhook(raw, options.secret ?? APP_SECRET);
  const result: PostResult = { attempts: 0, networkFailures: 0 };
  for (;;) {
    if (Date.now() > options.deadline) throw new Error(`message ${message.id} was not acknowledged before the deadline (${result.attempts} attempts)`);
    result.attempts += 1;
    let status: number;
    try {
      const response = await fetch(`${baseUrl()}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body: raw,
        signal: AbortSignal.timeout(5000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      result.networkFailures += 1;
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 50));
      continue;
    }
    if (status === 200) return result;
    if (status < 500) throw new Error(`message ${message.id} got HTTP ${status}, which Meta would not retry`);
    await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 50));
  }
}

/**
 * Posts every message with `concurrency` clients, message i not before `start + i * paceMs` (so the posting spans a
 * known time, as real traffic does), and after `gate(i)` resolves. Resolves with the ids acknowledged and the retry counts.
 */
export async function postAll(baseUrl: () => string, messages: Inbound[], options: { concurrency: number; paceMs: number; deadline: number; gate?: (index: number) => Promise<void> }): Promise<{ acked: Set<string>; attempts: number; networkFailures: number }> {
  const acked = new Set<string>();
  let attempts = 0;
  let networkFailures = 0;
  let next = 0;
  const start = Date.now();
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= messages.length) return;
      const due = start + i * options.paceMs;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await options.gate?.(i);
      const result = await postUntilAcked(baseUrl, messages[i]!, { deadline: options.deadline });
      attempts += result.attempts;
      networkFailures += result.networkFailures;
      acked.add(messages[i]!.id);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return { acked, attempts, networkFailures };
}
