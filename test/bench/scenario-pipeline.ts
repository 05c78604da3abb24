import Database from 'better-sqlite3';
import { join } from 'node:path';
import { VARIABLES } from '../../src/config/variables.js';
import { gauge, httpGet, startWorker, type WorkerHandle } from './cell.js';
import { APP_SECRET, type BenchContext } from './context.js';
import { runLoad, type WireMessage } from './load-client.js';
import { marker, measureHops, type Conversation, type Hops } from './pipeline-hops.js';
import { startPipelineSims, type PipelineSims } from './pipeline-sims.js';
import { SHIPPED_CONCURRENCY } from './scales.js';
import type { SeededTenant } from './seed.js';
import { answerableQuestion, rng, UNANSWERABLE } from './seed-text.js';
import { sleep, summary, waitFor } from './stats.js';

export interface PipelineFigures {
  concurrency: number;
  conversations: number;
  tenants: number;
  acked: number;
  /** Accepted conversations whose customer got nothing from us by the end of the wait. */
  unanswered: number;
  /** POSTs of the burst that were not answered 200 (status or socket error × count). */
  postErrors: string;
  postMs: number;
  /** Burst start → every customer had a message from us at the Graph simulator (answer or holding reply). */
  repliesMs: number | null;
  /** Burst start → no job due or running (handover cards to Telegram included). */
  drainMs: number | null;
  outcomes: Record<string, number>;
  cards: number;
  peakLlmInFlight: number;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  /** GET /healthz every 250 ms during the burst: how long a caller (the supervisor, a load balancer) waited. */
  health: ReturnType<typeof summary>;
  probe: Hops;
  burst: Hops;
  readyMs: number;
  rssIdleMb: number;
  rssAfterMb: number;
  rssPeakMb: number;
  breaches: { waPerNumber: number; waPerPair: number; tgPerGroup: number; tgOverall: number };
}

const LLM_DELAY_MS = 1500;
/** The product's default debounce: the worker runs with it, and it is subtracted from webhook → LLM as a deliberate wait. */
const DEBOUNCE_MS = Number(VARIABLES.debounceMs.defaultValue);

/**
 * A real worker (every setting at its shipped default) and the three simulators, the
 * LLM answering after 1.5 s. First a probe: a few conversations spaced out, the overhead of each hop without load.
 * Then the burst: `conversations` new customers across `tenants` tenants, one POST each from the load generator as
 * fast as the worker acknowledges, 5% with a question the knowledge base cannot answer (holding reply + a card).
 */
export async function pipelineScenario(ctx: BenchContext): Promise<PipelineFigures> {
  const { pipeline } = ctx.scale;
  const step = Math.max(1, Math.floor(ctx.tenants.length / pipeline.tenants));
  const used = ctx.tenants.filter((_, i) => i % step === 0).slice(0, pipeline.tenants);
  const sims = await startPipelineSims(used, LLM_DELAY_MS);
  const db = new Database(ctx.cell.dbPath, { readonly: true });
  let worker: WorkerHandle | null = null;
  try {
    worker = await startWorker({
      cell: ctx.cell, name: 'pipeline-worker', nodeFlags: ctx.workerNodeFlags, flags: [],
      env: { ...sims.env, BOTCTL_DEBOUNCE_MS: String(DEBOUNCE_MS) },
    });
    await sleep(2000);
    const rssIdleMb = worker.memory().rssMb;
    ctx.log(`pipeline: worker ready in ${worker.readyMs.toFixed(0)} ms, idle RSS ${rssIdleMb.toFixed(0)} MB; probe of ${pipeline.probe} spaced conversations`);

    const random = rng(7);
    // Customers new to the cell even when --cell reuses one: a returning customer would find its earlier handover.
    const salt = (Math.floor(Date.now() / 1000) % 90_000) * 10_000;
    const conversation = (index: number, tenant: SeededTenant, unanswerable: boolean): Conversation & { message: WireMessage } => {
      const phone = String(79_000_000_000 + salt + index);
      const wamid = `wamid.pipe${Date.now().toString(36)}x${index}`;
      const question = unanswerable ? UNANSWERABLE[index % UNANSWERABLE.length]! : answerableQuestion(tenant.kind, random);
      return { index, wamid, phone, message: { phoneNumberId: tenant.phoneNumberId, from: phone, name: 'Клиент', wamid, text: `${question} ${marker(index)}` } };
    };

    const probe = Array.from({ length: pipeline.probe }, (_, i) => conversation(1_000_000 + i, used[i % used.length]!, false));
    const probeSince = since(db);
    await runLoad({ url: `${worker.url}/webhooks/whatsapp`, appSecret: APP_SECRET, mode: 'open', ratePerSecond: 5, concurrency: 4, durationMs: 60_000, messages: probe.map((c) => c.message), out: join(ctx.workDir, 'probe.json') }, ctx.workDir);
    await waitFor(() => answeredCount(sims, probe) === probe.length && idle(db), 30_000);
    const probeHops = measureHops(db, sims, probe, probeSince, DEBOUNCE_MS);

    sims.llm.reset();
    await httpGet(`${worker.url}/metrics`); // closes the event-loop window: the next scrape covers the burst alone
    const burst = Array.from({ length: pipeline.conversations }, (_, i) => conversation(i, used[i % used.length]!, i % Math.round(1 / pipeline.unanswerableShare) === 0));
    const burstSince = since(db);
    const burstStart = Date.now();
    ctx.log(`pipeline: burst of ${burst.length} conversations across ${used.length} tenants`);
    const probes = probeHealth(worker.url);
    const load = await runLoad({ url: `${worker.url}/webhooks/whatsapp`, appSecret: APP_SECRET, mode: 'closed', concurrency: 32, durationMs: pipeline.postMaxMs, messages: burst.map((c) => c.message), out: join(ctx.workDir, 'burst.json') }, ctx.workDir);

    // Only acknowledged deliveries count: one the worker never answered 200 for is Meta's to send again.
    const acked = new Set(load.acked);
    const accepted = burst.filter((c) => acked.has(c.wamid));
    let repliesAt: number | null = null;
    let drainedAt: number | null = null;
    await waitFor(() => {
      if (repliesAt === null && answeredCount(sims, accepted) >= accepted.length) repliesAt = Date.now();
      if (repliesAt !== null && drainedAt === null && idle(db)) drainedAt = Date.now();
      return drainedAt !== null;
    }, pipeline.drainTimeoutMs, 100);
    const unanswered = accepted.length - answeredCount(sims, accepted);
    const health = summary(await probes.stop());
    const metrics = (await httpGet(`${worker.url}/metrics`)).body;
    const memory = worker.memory();
    const outcomes = Object.fromEntries((db.prepare("SELECT coalesce(outcome, 'pending') AS o, count(*) AS n FROM messages WHERE id > ? AND direction = 'inbound' GROUP BY o").all(burstSince.messageId) as { o: string; n: number }[]).map((r) => [r.o, r.n]));
    const cards = (db.prepare("SELECT count(*) AS n FROM trace_events WHERE at >= ? AND step = 'desk.card_posted'").get(burstStart) as { n: number }).n;
    const tg = sims.telegram.rateBreaches({ perGroupPerMinute: 20, overallPerSecond: 30 });
    const wa = sims.graph.rateBreaches({ perNumberPerSecond: 80, perPairSeconds: 6, pairBurst: 1 });
    const lagP99 = gauge(metrics, 'botctl_event_loop_lag_p99_seconds');
    const lagMax = gauge(metrics, 'botctl_event_loop_lag_max_seconds');
    const mb = (name: string) => ((gauge(metrics, name) ?? NaN) / 1e6).toFixed(0);
    ctx.log(`pipeline: after the burst RSS ${memory.rssMb.toFixed(0)} MB: JS heap used ${mb('nodejs_heap_size_used_bytes')} MB of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`);
    return {
      concurrency: SHIPPED_CONCURRENCY, conversations: burst.length, tenants: used.length, acked: accepted.length, unanswered,
      postErrors: Object.entries(load.statuses).filter(([k]) => k !== '200').map(([k, v]) => `${k}×${v}`).join(' '), postMs: load.elapsedMs,
      repliesMs: repliesAt === null ? null : repliesAt - burstStart,
      drainMs: drainedAt === null ? null : drainedAt - burstStart,
      outcomes, cards, peakLlmInFlight: sims.llm.peakInFlight,
      lagP99Ms: lagP99 === null ? null : lagP99 * 1000, lagMaxMs: lagMax === null ? null : lagMax * 1000, health,
      probe: probeHops, burst: measureHops(db, sims, burst, burstSince, DEBOUNCE_MS),
      readyMs: worker.readyMs, rssIdleMb, rssAfterMb: memory.rssMb, rssPeakMb: memory.peakMb,
      breaches: {
        waPerNumber: wa.perNumber, waPerPair: wa.perPair,
        tgPerGroup: tg.filter((b) => b.limit === 'perGroupPerMinute').length, tgOverall: tg.filter((b) => b.limit === 'overallPerSecond').length,
      },
    };
  } finally {
    await worker?.stop();
    db.close();
    await sims.close();
  }
}

function since(db: Database.Database): { messageId: number; at: number } {
  const { id } = db.prepare('SELECT coalesce(max(id), 0) AS id FROM messages').get() as { id: number };
  return { messageId: id, at: Date.now() };
}

/** How many of these conversations' customers have received at least one message from the worker. */
function answeredCount(sims: PipelineSims, conversations: readonly Conversation[]): number {
  const phones = new Set(conversations.map((c) => c.phone));
  const reached = new Set<string>();
  for (const send of sims.graph.sends) if (phones.has(String(send.body.to))) reached.add(String(send.body.to));
  return reached.size;
}

/** No job is running and none is due (maintenance jobs scheduled for later do not count). */
function idle(db: Database.Database): boolean {
  const { n } = db.prepare("SELECT count(*) AS n FROM jobs WHERE state = 'running' OR (state = 'pending' AND run_at <= ?)").get(Date.now()) as { n: number };
  return n === 0;
}

/**
 * Time-weighted responsiveness: the event-loop histogram records a 10-second stall as one sample, so its p99 can
 * look fine while callers wait seconds. A probe every 250 ms (one at a time) sees every stall as long as it lasts.
 */
function probeHealth(url: string): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await httpGet(`${url}/healthz`, 120_000).catch(() => undefined);
      times.push(performance.now() - t0);
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}
