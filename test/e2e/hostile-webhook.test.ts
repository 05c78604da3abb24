import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeLikeMeta, inboundNotification, signWebhook, textMessage } from '../fakes/whatsapp.js';
import { APP_SECRET, PipelineCell } from '../helpers/pipeline-cell.js';
import { sample } from '../helpers/prom-text.js';
import { until } from '../helpers/until.js';

/* Hostile and broken deliveries against the real worker: each refused or recorded with its reason, the worker healthy. */

const SHOP = { slug: 'hostile', name: 'Hostile Test', phoneNumberId: '7300073', token: 'EAAGhostiletoken0123456789abcdefghi' };
let h: PipelineCell;

beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SHOP] });
}, 60_000);
afterAll(async () => h?.close());

const metrics = async () => (await fetch(`${h.worker.url}/metrics`)).text();
const healthy = async () => (await fetch(`${h.worker.url}/healthz`)).status === 200 && (await fetch(`${h.worker.url}/readyz`)).status === 200;

/** Streams `total` bytes chunked (no Content-Length), as a hostile client would; resolves with the status and bytes the server took. */
function postChunked(total: number): Promise<{ status: number; written: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${h.worker.url}/webhooks/whatsapp`);
    let written = 0;
    let status = 0;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'transfer-encoding': 'chunked' } }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve({ status, written });
      });
    });
    req.on('error', () => resolve({ status, written }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (written < total && status === 0) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (status === 0) req.end();
    };
    req.on('socket', () => pump());
    setTimeout(() => reject(new Error('no answer in 20 s')), 20_000).unref();
  });
}

describe('hostile webhook deliveries', () => {
  test('a 48 MB chunked body is refused with 413 after reading at most the limit; memory stays bounded', async () => {
    const before = sample(await metrics(), 'process_resident_memory_bytes')!;
    const result = await postChunked(48 * 1024 * 1024);
    expect(result.status).toBe(413);
    // The server stopped taking the body near its 3.5 MB limit (socket buffers add a little), long before 48 MB.
    expect(result.written).toBeLessThan(16 * 1024 * 1024);
    const after = sample(await metrics(), 'process_resident_memory_bytes')!;
    expect(after - before).toBeLessThan(40 * 1024 * 1024);
    expect(await healthy()).toBe(true);
  }, 30_000);

  test('an unsigned body is refused with 401 before it is read as JSON, and nothing is recorded', async () => {
    const before = h.query<{ n: number }>('SELECT count(*) AS n FROM webhook_rejections')[0]!.n;
    const raw = '{"object": "whatsapp_business_account", "entry": [ not json';
    const response = await fetch(`${h.worker.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'x-hub-signature-256': signWebhook(raw, 'another-secret') }, body: raw });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid signature' });
    expect(h.query<{ n: number }>('SELECT count(*) AS n FROM webhook_rejections')[0]!.n).toBe(before);
  });

  test('a signed delivery nested over 1,000 levels is answered 200 and recorded as rejected; its good neighbour is stored; the worker stays healthy', async () => {
    const good = textMessage({ from: '77040000001', body: 'Hello there' });
    const body = inboundNotification({ phoneNumberId: SHOP.phoneNumberId, messages: [textMessage({ from: '77040000002', body: 'deep' }), good] });
    const deepText = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    // Built as text: the nesting is deeper than JSON.stringify itself can walk.
    const raw = encodeLikeMeta(body).replace('"body":"deep"', `"body":"deep","nested":${deepText}`);
    const response = await fetch(`${h.worker.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, APP_SECRET) }, body: raw });
    expect(response.status).toBe(200);
    expect(h.query('SELECT type, body FROM messages WHERE provider_message_id = ?', good.id)).toEqual([{ type: 'text', body: 'Hello there' }]);
    const [rejection] = h.query<{ reason: string; tenant_id: number; body_bytes: number }>("SELECT reason, tenant_id, body_bytes FROM webhook_rejections WHERE reason LIKE '%nested deeper%'");
    expect(rejection).toMatchObject({ reason: expect.stringContaining('nested deeper than 32 levels'), tenant_id: expect.any(Number), body_bytes: Buffer.byteLength(raw) });
    expect(sample(await metrics(), 'botctl_webhook_rejections_total', { reason: 'unreadable' })).toBeGreaterThanOrEqual(1);
    await until(() => h.worker.lines.some((l) => l.includes('signed webhook part could not be stored')), 5_000, 'the log line');
    expect(await healthy()).toBe(true);
  }, 20_000);

  test('a signed body that is not JSON, or not a WhatsApp notification, is answered 200 and recorded, never 4xx/5xx forever', async () => {
    for (const raw of ['{"object": "whatsapp_business_account", "entry": [ "Aigerim +77011234567 wrote', '{"object":"instagram","entry":[]}']) {
      const response = await fetch(`${h.worker.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'x-hub-signature-256': signWebhook(raw, APP_SECRET) }, body: raw });
      expect(response.status).toBe(200);
    }
    const reasons = h.query<{ reason: string; tenant_id: number | null }>("SELECT reason, tenant_id FROM webhook_rejections WHERE path = 'body' ORDER BY id");
    expect(reasons).toEqual([
      // Where it broke, never what it said (a customer's words and number).
      { reason: expect.stringMatching(/^the body is not valid JSON: SyntaxError/), tenant_id: null },
      { reason: expect.stringContaining('body.object'), tenant_id: null },
    ]);
    expect(JSON.stringify(reasons)).not.toContain('Aigerim');
    expect(h.worker.lines.filter((l) => l.includes('77011234567'))).toEqual([]);
    expect(await healthy()).toBe(true);
  });
});
