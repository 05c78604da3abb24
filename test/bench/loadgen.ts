/**
 * The load generator: a separate process (so its CPU shows up as another process's, as Meta's would) that POSTs
 * signed, Meta-shaped webhooks over loopback with keep-alive and bounded concurrency, and writes what it saw to a
 * JSON file. Every body is built and signed before the clock starts, so the measured loop only sends.
 *
 * node:http with a keep-alive Agent rather than fetch: on 2 shared cores the generator's own CPU competes with the
 * server it measures, and fetch costs several times more per request.
 *
 * Usage: node loadgen.js <spec.json>   (the spec is a LoadSpec; see load-client.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { encodeLikeMeta, inboundNotification, signWebhook, textMessage } from '../../src/simulators/whatsapp/index.js';
import type { LoadResult, LoadSpec } from './load-client.js';

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
const target = new URL(spec.url);
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });

const bodies = spec.messages.map((m) => {
  const raw = Buffer.from(encodeLikeMeta(inboundNotification({
    phoneNumberId: m.phoneNumberId, messages: [textMessage({ from: m.from, id: m.wamid, body: m.text })], contacts: [{ waId: m.from, name: m.name }],
  })));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': raw.length };
  if (spec.appSecret) headers['x-hub-signature-256'] = signWebhook(raw, spec.appSecret);
  return { raw, headers, wamid: m.wamid };
});

const latencies: number[] = [];
const sentAt: number[] = [];
const acked: string[] = [];
const statuses: Record<string, number> = {};
let next = 0;
let inFlight = 0;
let maxBehindMs = 0;

function post(i: number): Promise<void> {
  const body = bodies[i]!;
  const t0 = performance.now();
  sentAt.push(Date.now());
  inFlight++;
  return new Promise((resolve) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: body.headers }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        latencies.push(performance.now() - t0);
        const key = String(res.statusCode);
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (res.statusCode === 200) acked.push(body.wamid);
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      inFlight--;
      statuses[err.message] = (statuses[err.message] ?? 0) + 1;
      resolve();
    });
    req.end(body.raw);
  });
}

/** Closed loop: `concurrency` senders, each posting as soon as its previous answer came. */
async function closedLoop(deadline: number): Promise<void> {
  const sender = async () => {
    while (next < bodies.length && performance.now() < deadline) await post(next++);
  };
  await Promise.all(Array.from({ length: spec.concurrency }, sender));
}

/** Open loop: sends on a fixed schedule whatever the answers do, capped at `concurrency` in flight. */
async function openLoop(start: number, deadline: number): Promise<void> {
  const rate = spec.ratePerSecond!;
  const pending = new Set<Promise<void>>();
  while (next < bodies.length && performance.now() < deadline) {
    const due = Math.min(bodies.length, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (next < due && inFlight < spec.concurrency) {
      const p = post(next++);
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
    if (next < due) maxBehindMs = Math.max(maxBehindMs, ((due - next) * 1000) / rate);
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
}

async function main(): Promise<void> {
  const start = performance.now();
  const startedAt = Date.now();
  const deadline = start + spec.durationMs;
  if (spec.mode === 'open') await openLoop(start, deadline);
  else await closedLoop(deadline);
  const elapsedMs = performance.now() - start;
  const result: LoadResult = { sent: latencies.length, statuses, elapsedMs, startedAt, latencies, acked, sentAt, maxBehindMs };
  writeFileSync(spec.out, JSON.stringify(result));
  agent.destroy();
}

void main().catch((err: unknown) => {
  process.stderr.write(`loadgen failed: ${String(err)}\n`);
  process.exit(1);
});
