import type { Machine } from './machine.js';
import type { Hops } from './pipeline-hops.js';
import type { DashboardFigures } from './scenario-dashboard.js';
import type { IngestFigures, LoadFigures } from './scenario-ingest.js';
import type { PipelineFigures } from './scenario-pipeline.js';
import type { BurstFigures } from './scenario-burst.js';
import type { QueueFigures } from './scenario-queue.js';
import type { RetrievalFigures } from './scenario-retrieval.js';
import { OUTPUT_TOKENS_PER_TURN, TURNS_PER_CONVERSATION } from './scenario-retrieval.js';
import type { SearchFigures } from './scenario-search.js';
import type { StartFigures } from './scenario-start.js';
import type { SeedResult } from './seed.js';

export interface Results {
  scale: string;
  startedAt: string;
  command: string;
  machine: Machine;
  uptimeAfter?: string;
  seed?: SeedResult & { tenantsCount: number };
  ingest?: IngestFigures;
  pipeline?: PipelineFigures;
  burst?: BurstFigures;
  queue?: QueueFigures;
  search?: SearchFigures;
  retrieval?: RetrievalFigures;
  start?: StartFigures;
  dashboard?: DashboardFigures;
  totalSeconds?: number;
  errors: string[];
}

type Row = [scenario: string, figure: string, measured: string, target: string, verdict: string];

const n0 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Math.round(x).toLocaleString('en-US'));
const ms = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x < 10 ? `${x.toFixed(1)} ms` : `${n0(x)} ms`);
const s1 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x / 1000).toFixed(1)} s`);
const check = (ok: boolean | null) => (ok === null ? '?' : ok ? '✓' : '✗');

/** The whole report as Markdown: the machine, the cell, then one table of figures with each target and ✓/✗. */
export function renderReport(r: Results): string {
  const m = r.machine;
  const lines = [
    `## botctl benchmark — ${r.scale} (${r.startedAt})`,
    '',
    `- command: \`${r.command}\``,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(1)} GB RAM (${m.freeMemoryGb.toFixed(1)} GB free), Node ${m.node}, Linux ${m.kernel}, SQLite ${m.sqlite}`,
    `- disk: ${n0(m.fsync.fullPerSecond)} fsynced (FULL) WAL commits/s, ${n0(m.fsync.normalPerSecond)} NORMAL commits/s`,
    `- load before: \`${m.uptime}\``,
    ...(r.uptimeAfter ? [`- load after: \`${r.uptimeAfter}\``] : []),
    ...(r.seed ? [`- cell: ${n0(r.seed.tenantsCount)} tenants, ${n0(r.seed.chunks)} knowledge chunks, ${n0(r.seed.messages)} messages, ${(r.seed.fileBytes / 2 ** 30).toFixed(2)} GB, seeded in ${r.seed.seconds.toFixed(0)} s`] : []),
    ...(r.totalSeconds ? [`- whole run: ${r.totalSeconds.toFixed(0)} s`] : []),
    '',
    '| scenario | figure | measured | target | |',
    '|---|---|---|---|---|',
    ...rows(r).map((row) => `| ${row.join(' | ')} |`),
  ];
  if (r.errors.length > 0) lines.push('', '**Scenarios that failed:**', ...r.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}

function rows(r: Results): Row[] {
  const out: Row[] = [];
  const i = r.ingest;
  if (i) {
    const load = (f: LoadFigures) => `${n0(f.perSecond)}/s, p50 ${ms(f.p50)}, p99 ${ms(f.p99)}${f.errors ? ` (errors: ${f.errors})` : ''}`;
    const ratio = i.max.perSecond / i.baselineMax.perSecond;
    out.push(
      ['Ingest', 'highest sustained rate (closed loop, 32 in flight): durable msgs/s', n0(i.max.perSecond), '≥ 2,000/s', check(i.max.perSecond >= 2000)],
      ['Ingest', '… its p50 / p99 time to 200', `${ms(i.max.p50)} / ${ms(i.max.p99)}`, 'p99 ≤ 50 ms', check(i.max.p99 <= 50)],
      ['Ingest', `fixed ${n0(i.fixed.sent / 1)} POSTs at 1,000/s: achieved rate, p50 / p99`, `${n0(i.fixed.perSecond)}/s, ${ms(i.fixed.p50)} / ${ms(i.fixed.p99)}${i.fixed.behindMs > 0 ? `, generator fell ${ms(i.fixed.behindMs)} behind` : ''}`, '', ''],
      ['Ingest', 'acknowledged (200) → found stored', `${n0(i.max.ok + i.fixed.ok)} → ${n0((i.max.stored ?? 0) + (i.fixed.stored ?? 0))}`, 'all', check(i.max.stored === i.max.ok && i.fixed.stored === i.fixed.ok)],
      ['Ingest', 'bare baseline (node:http + 1 FULL insert), closed loop', load(i.baselineMax), '', ''],
      ['Ingest', 'bare baseline at fixed 1,000/s', load(i.baselineFixed), '', ''],
      ['Ingest', 'botctl ÷ bare baseline (highest rates)', `${(ratio * 100).toFixed(0)}%`, '≥ 50%', check(ratio >= 0.5)],
      ['Ingest', 'botctl with its WAL checkpoints off (as under Litestream), closed loop', load(i.noCheckpoint), '', ''],
      ['Ingest', '… WAL pages one webhook commit writes (4 KB each; the baseline writes 1–2)', i.walPagesPerMessage.toFixed(1), '', ''],
      ['Ingest', 'what-if: bare server, one FULL commit per event-loop turn', load(i.groupCommitMax), '', ''],
    );
  }
  const p = r.pipeline;
  if (p) {
    const hop = (h: Hops['webhookToLlm']) => `p50 ${ms(h.p50)}, p95 ${ms(h.p95)}`;
    out.push(
      ['Pipeline', `burst: ${n0(p.conversations)} conversations, ${n0(p.tenants)} tenants, LLM 1.5 s, shipped defaults (concurrency ${p.concurrency})`, `${n0(p.acked)} accepted in ${s1(p.postMs)}${p.postErrors ? ` (not accepted: ${p.postErrors})` : ''}; ${Object.entries(p.outcomes).map(([k, v]) => `${k} ${n0(v)}`).join(', ')}; ${n0(p.cards)} cards`, '', ''],
      ['Pipeline', 'time until every accepted customer had an answer / until the queue drained', `${s1(p.repliesMs)} / ${s1(p.drainMs)}${p.unanswered > 0 ? ` (${n0(p.unanswered)} never answered)` : ''}`, 'all answered', check(p.drainMs !== null && p.unanswered === 0)],
      ['Pipeline', 'peak LLM calls in flight', n0(p.peakLlmInFlight), '≥ 500', check(p.peakLlmInFlight >= 500)],
      ['Pipeline', 'worker event-loop lag over the burst, p99 / max (/metrics, incl. 20 ms sampling)', `${ms(p.lagP99Ms)} / ${ms(p.lagMaxMs)}`, 'p99 ≤ 100 ms', check(p.lagP99Ms === null ? null : p.lagP99Ms <= 100)],
      ['Pipeline', '… the same lag as callers see it: GET /healthz every 250 ms, p50 / p99 / max', `${ms(p.health.p50)} / ${ms(p.health.p99)} / ${ms(p.health.max)}`, 'p99 ≤ 100 ms', check(p.health.p99 <= 100)],
      ['Pipeline', `webhook → LLM request, after the debounce (burst, ${n0(p.burst.measured)} measured)`, hop(p.burst.webhookToLlm), 'p95 ≤ 50 ms', check(p.burst.webhookToLlm.p95 <= 50)],
      ['Pipeline', '… due → job started (poll + free slot) / started → LLM request', `p95 ${ms(p.burst.dueToStart.p95)} / p95 ${ms(p.burst.startToLlm.p95)}`, '', ''],
      ['Pipeline', 'LLM answer → Graph send (burst)', hop(p.burst.llmToSend), 'p95 ≤ 50 ms', check(p.burst.llmToSend.p95 <= 50)],
      ['Pipeline', '… answer → reply queued / queued → sent', `p95 ${ms(p.burst.answerToQueued.p95)} / p95 ${ms(p.burst.queuedToSend.p95)}`, '', ''],
      ['Pipeline', `unloaded probe (${n0(p.probe.measured)} spaced conversations): webhook → LLM / LLM → send`, `${hop(p.probe.webhookToLlm)} / ${hop(p.probe.llmToSend)}`, '', ''],
      ['Pipeline', '… probe: due → job started / started → LLM request', `p95 ${ms(p.probe.dueToStart.p95)} / p95 ${ms(p.probe.startToLlm.p95)}`, '', ''],
    );
  }
  const u = r.burst;
  if (u) {
    const p95 = (x: { n: number; p95: number }) => (x.n === 0 ? '—' : ms(x.p95));
    out.push(
      ['Burst', `${n0(u.handovers)} handovers into one group, probes from ${n0(u.probeTenants)} other tenants, shipped defaults (concurrency ${u.concurrency})`, `${n0(u.cardsPosted)} cards and ${n0(u.digestPages)} digest pages by the end`, '', ''],
      ['Burst', 'other tenants answered (webhook → first reply): p95 during the burst / unloaded', `${p95(u.probeLoaded)} / ${p95(u.probeUnloaded)} (n ${u.probeLoaded.n} / ${u.probeUnloaded.n})`, 'p95 ≤ 10 s', check(u.probeLoaded.n > 0 && u.probeLoaded.p95 <= 10_000)],
      ['Burst', 'burst customers: holding reply p95 / max', `${p95(u.holding)} / ${u.holding.n === 0 ? '—' : ms(u.holding.max)}`, 'max ≤ 30 s', check(u.holding.n > 0 && u.holding.max <= 30_000)],
      ['Burst', 'every request named in the group (card or digest): after the burst began / longest any one waited', `${s1(u.allVisibleMs)} / ${s1(u.maxInvisibleMs)}`, '≤ 2 min each', check(u.maxInvisibleMs !== null && u.allVisibleMs !== null && u.maxInvisibleMs <= 120_000)],
      ['Burst', 'messages into the group in any minute (most)', n0(u.groupPerMinuteMax), '≤ 20', check(u.groupPerMinuteMax <= 20)],
      ['Burst', 'sends refused by the simulators for a rate limit: Telegram / WhatsApp', `${n0(u.refused.telegram)} / ${n0(u.refused.whatsapp)}`, '0', check(u.refused.telegram === 0 && u.refused.whatsapp === 0)],
    );
  }
  const q = r.queue;
  if (q) {
    out.push(
      ['Queue', `enqueue → claim → complete, ${n0(q.pending)} due jobs pending: cycles/s (p99 cycle)`, `${n0(q.backlog.perSecond)}/s (${ms(q.backlog.p99Ms)})`, '≥ 5,000/s', check(q.backlog.perSecond >= 5000)],
      ['Queue', `… ${n0(q.pending)} jobs pending, scheduled for later`, `${n0(q.scheduled.perSecond)}/s (${ms(q.scheduled.p99Ms)})`, '≥ 5,000/s', check(q.scheduled.perSecond >= 5000)],
      ['Queue', '… WAL pages one cycle writes (3 commits: enqueue, claim, complete)', `${q.walPagesPerCycle.toFixed(1)} pages`, '', ''],
    );
  }
  const k = r.search;
  if (k) {
    out.push(
      ['Search', `searchKnowledge in one tenant (${n0(k.queries)} queries, ~${k.chunksPerTenant} chunks/tenant): p50 / p99`, `${ms(k.search.p50)} / ${ms(k.search.p99)}`, 'p99 ≤ 20 ms', check(k.search.p99 <= 20)],
      ['Search', '… one turn\'s retrieval (search + FAQ match): p50 / p99', `${ms(k.turn.p50)} / ${ms(k.turn.p99)}`, '', ''],
      ['Search', '… slowest question, p99', `${ms(k.slowest.p99)} «${k.slowest.question}»`, '', ''],
    );
  }
  const g = r.retrieval;
  if (g) {
    const usd = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`);
    const priced = g.price ? `${g.model} at $${g.price.input}/$${g.price.cached}/$${g.price.output} per 1M input/cached/output` : `${g.model}: no list price (set BOTCTL_LLM_PRICES)`;
    for (const m of g.modes) {
      const label = m.mode === 'whole' ? 'whole knowledge (clinic + 150-service price list)' : 'hybrid (1,000-part catalog)';
      out.push(
        ['Retrieval', `prompt tokens per turn, ${label}: mean / p95 (${m.turns} turns of the shipped suites; fact reached ${m.reached})`, `${n0(m.promptTokens.mean)} / ${n0(m.promptTokens.p95)}`, '', ''],
        ['Retrieval', `… cost of 1,000 conversations (${TURNS_PER_CONVERSATION} turns, ${OUTPUT_TOKENS_PER_TURN} output tokens each; ${priced}): no cache / stable prefix cached (${n0(m.cachedTokens.mean)} tokens)`, m.costPer1000 ? `${usd(m.costPer1000.uncached)} / ${usd(m.costPer1000.cached)}` : '—', '', ''],
      );
    }
    out.push(
      ['Retrieval', `embedding cost of importing the ${g.embedding.knowledge} (${n0(g.embedding.chunks)} chunks, text-embedding-3-small at $0.02/1M)`, `${n0(g.embedding.tokens)} tokens, ${usd(g.embedding.usd)} (${g.embedding.seconds.toFixed(1)} s against the simulator)`, '', ''],
      ['Retrieval', `one turn's hybrid retrieval p99 at 2,000 chunks (words + fuzzy + cosine + fusion; p50 ${ms(g.hybrid2000.p50)}, ${n0(g.hybrid2000.n)} turns, ${n0(g.hybrid2000.chunks)} chunks)`, ms(g.hybrid2000.p99), 'p99 ≤ 50 ms', check(g.hybrid2000.p99 <= 50)],
      ['Retrieval', '… the same by words alone (lexical + fuzzy): p50 / p99', `${ms(g.lexical2000.p50)} / ${ms(g.lexical2000.p99)}`, '', ''],
      );
    }
  const dash = r.dashboard;
  if (dash) {
    out.push(
      ['Dashboard', `overview of one tenant, 30 days, ${n0(dash.messages)} messages, ${n0(dash.handovers)} requests (server time): p50 / p99`, `${ms(dash.report.p50)} / ${ms(dash.report.p99)}`, 'p99 ≤ 200 ms', check(dash.report.p99 <= 200)],
      ['Dashboard', '… the first one after start (cold)', ms(dash.coldMs), '', ''],
      ['Dashboard', '… GET /dashboard/api/overview through the Hono app (JSON included): p50 / p99', `${ms(dash.http.p50)} / ${ms(dash.http.p99)}`, '', ''],
    );
  }
  const st = r.start;
  if (st || p) {
    const ready = [...(st?.readyMs ?? []), ...(p ? [p.readyMs] : [])];
    const idle = [...(st?.idleRssMb ?? []), ...(p ? [p.rssIdleMb] : [])];
    const maxReady = ready.length ? Math.max(...ready) : null;
    const maxIdle = idle.length ? Math.max(...idle) : null;
    out.push(
      ['Memory', `worker RSS idle, ${r.seed ? n0(r.seed.tenantsCount) : '?'} tenants (max of ${idle.length} starts)`, maxIdle === null ? '—' : `${n0(maxIdle)} MB`, '≤ 300 MB', check(maxIdle === null ? null : maxIdle <= 300)],
      ...(p ? [['Memory', 'worker RSS after the burst / peak (VmHWM)', `${n0(p.rssAfterMb)} MB / ${n0(p.rssPeakMb)} MB`, '≤ 300 MB', check(p.rssPeakMb <= 300)] as Row] : []),
      ['Start', `spawn → /readyz 200 (${ready.map((x) => ms(x)).join(', ')})`, maxReady === null ? '—' : `max ${ms(maxReady)}`, '≤ 3 s', check(maxReady === null ? null : maxReady <= 3000)],
    );
  }
  if (p) {
    const b = p.breaches;
    out.push(
      ['Limits', 'WhatsApp: > 80 msg/s per phone number', n0(b.waPerNumber), '0', check(b.waPerNumber === 0)],
      ['Limits', 'WhatsApp: > 1 msg per 6 s to one customer (burst 1)', n0(b.waPerPair), '0', check(b.waPerPair === 0)],
      ['Limits', 'Telegram: > 20 msgs/min per group', n0(b.tgPerGroup), '0', check(b.tgPerGroup === 0)],
      ['Limits', 'Telegram: > 30 msgs/s overall', n0(b.tgOverall), '0', check(b.tgOverall === 0)],
    );
  }
  return out;
}
