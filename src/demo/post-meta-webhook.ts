import { encodeLikeMeta, signWebhook } from '../simulators/whatsapp/index.js';

/**
 * POSTs a webhook delivery as Meta does for WhatsApp and Instagram alike: the body in Meta's byte encoding, signed
 * with the app secret (X-Hub-Signature-256). Resolves with the worker's HTTP status; rejects when it cannot be reached.
 */
export async function postMetaWebhook(url: string, body: unknown, appSecret: string): Promise<number> {
  const raw = encodeLikeMeta(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, appSecret) },
    body: raw,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** What the console shows for a webhook the worker did not take. */
export function webhookError(err: unknown): string {
  return `the worker could not be reached: ${err instanceof Error ? err.message : String(err)}`;
}
