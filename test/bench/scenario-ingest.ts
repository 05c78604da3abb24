import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker } from './cell.js';
import { APP_SECRET, firstContactOf, NOWHERE, readDb, VERIFY_TOKEN, writeDb, type BenchContext } from './context.js';
import { runLoad, type LoadResult, type WireMessage } from './load-client.js';
import { customerPhone } from './seed.js';
import { answerableQuestion, rng } from './seed-text.js';
import { percentile, walFrames } from './stats.js';

export interface LoadFigures {
  perSecond: number;
  p50: number;
  p99: number;
  sent: number;
  ok: number;
  /** Acknowledged (200) messages found in the database afterwards; must equal `ok`. */
  stored: number | null;
  behindMs: number;
  errors: string;
}

export interface IngestFigures {
  max: LoadFigures;
  fixed: LoadFigures;
  baselineMax: LoadFigures;
  baselineFixed: LoadFigures;
  /** What-if: the bare server with one FULL commit per event-loop turn instead of per request. */
  groupCommitMax: LoadFigures;
  /** A second pass with the worker's own checkpoints off (as `botctl run` runs it while Litestream replicates). */
  noCheckpoint: LoadFigures;
  /** WAL pages one webhook commit writes, counted in that pass (the bare baseline writes one or two). */
  walPagesPerMessage: number;
  readyMs: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Signed webhooks from a separate load-generator process to a real worker on the seeded cell: the highest rate it
 * sustains (closed loop) and a fixed 1,000/s (open loop); then the same loads against the bare baseline.
 *
 * The worker runs with BOTCTL_DEBOUNCE_MS at its maximum (60 s), so the answer jobs the webhooks enqueue are not yet
 * due while ingest is measured: this scenario measures the intake (verify, parse, one durable transaction, 200),
 * and the pipeline scenario measures answering. Those jobs are deleted afterwards so later scenarios start clean.
 */
export async function ingestScenario(ctx: BenchContext): Promise<IngestFigures> {
  const { ingest } = ctx.scale;
  const random = rng(99);
  let serial = 0;
  const messages = (n: number): WireMessage[] => Array.from({ length: n }, () => {
    const tenant = ctx.tenants[Math.floor(random() * ctx.tenants.length)]!;
    // Half from the tenant's known customers, half from new ones (a contact row is created then).
    const from = random() < 0.5 ? customerPhone(firstContactOf(ctx, tenant.id) + Math.floor(random() * ctx.scale.seed.contactsPerTenant)) : String(78_000_000_000 + ++serial);
    return { phoneNumberId: tenant.phoneNumberId, from, name: 'Айгерим', wamid: `wamid.ingest${Date.now().toString(36)}x${++serial}`, text: answerableQuestion(tenant.kind, random) };
  });
  const maxCount = Math.ceil((ingest.maxRateMs / 1000) * 5000);
  const fixedCount = Math.ceil((ingest.fixedMs / 1000) * ingest.fixedRate);

  const { messageId, jobId } = readDb(ctx, (db) => db.prepare('SELECT (SELECT coalesce(max(id), 0) FROM messages) AS messageId, (SELECT coalesce(max(id), 0) FROM jobs) AS jobId').get() as { messageId: number; jobId: number });
  const worker = await startWorker({
    cell: ctx.cell, name: 'ingest-worker', nodeFlags: ctx.workerNodeFlags,
    env: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN, BOTCTL_DEBOUNCE_MS: '60000', WHATSAPP_GRAPH_URL: `${NOWHERE}/v21.0` },
  });
  const url = `${worker.url}/webhooks/whatsapp`;
  let max: LoadResult;
  let fixed: LoadResult;
  try {
    ctx.log(`ingest: worker ready in ${worker.readyMs.toFixed(0)} ms; closed loop, ${ingest.concurrency} in flight, ${ingest.maxRateMs / 1000} s`);
    max = await runLoad({ url, appSecret: APP_SECRET, mode: 'closed', concurrency: ingest.concurrency, durationMs: ingest.maxRateMs, messages: messages(maxCount), out: join(ctx.workDir, 'ingest-max.json') }, ctx.workDir);
    ctx.log(`ingest: open loop at ${ingest.fixedRate}/s for ${ingest.fixedMs / 1000} s`);
    fixed = await runLoad({ url, appSecret: APP_SECRET, mode: 'open', ratePerSecond: ingest.fixedRate, concurrency: 256, durationMs: ingest.fixedMs + 5000, messages: messages(fixedCount), out: join(ctx.workDir, 'ingest-fixed.json') }, ctx.workDir);
  } finally {
    await worker.stop();
  }
  const storedWamids = readDb(ctx, (db) => new Set((db.prepare('SELECT provider_message_id AS w FROM messages WHERE id > ?').pluck().all(messageId)) as string[]));
  const removed = writeDb(ctx, (db) => db.prepare("DELETE FROM jobs WHERE id > ? AND state = 'pending'").run(jobId).changes);
  ctx.log(`ingest: ${storedWamids.size} messages stored; ${removed} not-yet-due answer jobs removed`);

  // Same load again with --wal-autocheckpoint 0: the WAL then only grows, so its size counts the pages written.
  const second = await startWorker({
    cell: ctx.cell, name: 'ingest-worker-nockpt', nodeFlags: ctx.workerNodeFlags, flags: ['--wal-autocheckpoint', '0'],
    env: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN, BOTCTL_DEBOUNCE_MS: '60000', WHATSAPP_GRAPH_URL: `${NOWHERE}/v21.0` },
  });
  let noCheckpoint: LoadResult;
  let walBytes: number;
  try {
    writeDb(ctx, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
    noCheckpoint = await runLoad({ url: `${second.url}/webhooks/whatsapp`, appSecret: APP_SECRET, mode: 'closed', concurrency: ingest.concurrency, durationMs: ingest.maxRateMs, messages: messages(maxCount), out: join(ctx.workDir, 'ingest-nockpt.json') }, ctx.workDir);
    walBytes = statSync(`${ctx.cell.dbPath}-wal`).size;
  } finally {
    await second.stop();
  }
  writeDb(ctx, (db) => {
    db.prepare("DELETE FROM jobs WHERE id > ? AND state = 'pending'").run(jobId);
    db.pragma('wal_checkpoint(TRUNCATE)');
  });

  const baselineDb = join(ctx.cell.dir, 'baseline.db');
  const baseline = async (mode: 'single' | 'group', fixedToo: boolean) => {
    const server = await startBaseline(baselineDb, mode);
    try {
      const burl = `http://127.0.0.1:${server.port}/`;
      const bmax = await runLoad({ url: burl, appSecret: null, mode: 'closed', concurrency: ingest.concurrency, durationMs: ingest.maxRateMs, messages: messages(maxCount), out: join(ctx.workDir, `baseline-${mode}-max.json`) }, ctx.workDir);
      const bfixed = fixedToo ? await runLoad({ url: burl, appSecret: null, mode: 'open', ratePerSecond: ingest.fixedRate, concurrency: 256, durationMs: ingest.fixedMs + 5000, messages: messages(fixedCount), out: join(ctx.workDir, `baseline-${mode}-fixed.json`) }, ctx.workDir) : null;
      return { bmax, bfixed };
    } finally {
      server.stop();
    }
  };
  ctx.log('ingest: bare baseline (node:http + one FULL insert per request)');
  const single = await baseline('single', true);
  ctx.log('ingest: what-if, bare server with one FULL commit per event-loop turn');
  const group = await baseline('group', false);

  return {
    max: figures(max, storedWamids),
    fixed: figures(fixed, storedWamids),
    baselineMax: figures(single.bmax, null),
    baselineFixed: figures(single.bfixed!, null),
    groupCommitMax: figures(group.bmax, null),
    noCheckpoint: figures(noCheckpoint, null),
    walPagesPerMessage: walFrames(walBytes, 4096) / Math.max(1, noCheckpoint.statuses['200'] ?? 0),
    readyMs: worker.readyMs,
  };
}

function figures(result: LoadResult, stored: Set<string> | null): LoadFigures {
  const ok = result.statuses['200'] ?? 0;
  const errors = Object.entries(result.statuses).filter(([k]) => k !== '200').map(([k, v]) => `${k}×${v}`).join(' ');
  return {
    perSecond: ok / (result.elapsedMs / 1000),
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    sent: result.sent,
    ok,
    stored: stored ? result.acked.filter((w) => stored.has(w)).length : null,
    behindMs: result.maxBehindMs,
    errors,
  };
}

async function startBaseline(dbPath: string, mode: 'single' | 'group'): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [join(here, 'baseline-server.js'), dbPath, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}
