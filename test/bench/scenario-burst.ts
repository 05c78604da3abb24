import Database from 'better-sqlite3';
import { join } from 'node:path';
import { VARIABLES } from '../../src/config/variables.js';
import { startWorker, type WorkerHandle } from './cell.js';
import { APP_SECRET, type BenchContext } from './context.js';
import { runLoad, type WireMessage } from './load-client.js';
import { startPipelineSims, type PipelineSims } from './pipeline-sims.js';
import { SHIPPED_CONCURRENCY } from './scales.js';
import { answerableQuestion, rng, UNANSWERABLE } from './seed-text.js';
import { sleep, summary, waitFor } from './stats.js';

export interface BurstFigures {
  concurrency: number;
  handovers: number;
  probeTenants: number;
  /** Webhook stored → first message to the probe customer at the Graph simulator, without and during the burst. */
  probeUnloaded: ReturnType<typeof summary>;
  probeLoaded: ReturnType<typeof summary>;
  /** Webhook stored → the burst customer's holding reply. */
  holding: ReturnType<typeof summary>;
  /** Burst start → every request of the burst named in the group (its card or a digest line); null if not by the timeout. */
  allVisibleMs: number | null;
  /** The longest any one request waited to be named in the group (from its handover). */
  maxInvisibleMs: number | null;
  /** Most messages into the burst group in any sliding minute, and the most into any group. */
  groupPerMinuteMax: number;
  cardsPosted: number;
  digestPages: number;
  /** Sends the limit-enforcing simulators refused (Telegram 429, Graph 130429/131056). */
  refused: { telegram: number; whatsapp: number };
}

const LLM_DELAY_MS = 1500;
const DEBOUNCE_MS = Number(VARIABLES.debounceMs.defaultValue);
/** Lines naming a request in a group: a card's title, a digest line (ru, kk, en templates). */
const NAMED = /(?:Запрос №|Request #)(\d+)|^(?:№|#)(\d+) ·|^№(\d+) сұрау/gm;

/**
 * One tenant's burst of handovers into its managers' group while other tenants' customers keep writing, on a real
 * worker with the shipped defaults and simulators that refuse what Telegram and Meta would refuse. First the probes
 * alone (unloaded), then the burst posted as fast as the worker accepts it with the probes written during it.
 */
export async function burstScenario(ctx: BenchContext): Promise<BurstFigures> {
  const { burst } = ctx.scale;
  const [rush, ...others] = ctx.tenants;
  const probeTenants = others.filter((_, i) => i % Math.max(1, Math.floor(others.length / burst.probeTenants)) === 0).slice(0, burst.probeTenants);
  const sims = await startPipelineSims([rush!, ...probeTenants], LLM_DELAY_MS, { enforceLimits: true });
  const db = new Database(ctx.cell.dbPath, { readonly: true });
  let worker: WorkerHandle | null = null;
  try {
    worker = await startWorker({ cell: ctx.cell, name: 'burst-worker', nodeFlags: ctx.workerNodeFlags, flags: [], env: { ...sims.env, BOTCTL_DEBOUNCE_MS: String(DEBOUNCE_MS) } });
    const url = `${worker.url}/webhooks/whatsapp`;
    const firstMessage = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM messages').get() as { id: number }).id;
    const random = rng(11);
    const salt = (Math.floor(Date.now() / 1000) % 90_000) * 10_000;
    let n = 0;
    const message = (tenant: typeof rush, text: string): WireMessage => {
      const i = n++;
      return { phoneNumberId: tenant!.phoneNumberId, from: String(78_000_000_000 + salt + i), name: 'Клиент', wamid: `wamid.burst${Date.now().toString(36)}x${i}`, text };
    };
    const probe = (round: number) => probeTenants.map((t) => message(t, `${answerableQuestion(t.kind, random)} (${round})`));

    // Unloaded: each probe tenant's customer once, spaced out.
    const unloaded = probe(0);
    await runLoad({ url, appSecret: APP_SECRET, mode: 'open', ratePerSecond: 2, concurrency: 2, durationMs: 60_000, messages: unloaded, out: join(ctx.workDir, 'burst-probe0.json') }, ctx.workDir);
    await waitFor(() => reached(sims, unloaded) === unloaded.length, 60_000);
    const probeUnloaded = summary(latencies(db, firstMessage, sims, unloaded));

    // The burst: every customer of one tenant asks what its knowledge cannot answer (a handover each).
    const handovers = Array.from({ length: burst.handovers }, (_, i) => message(rush, `${UNANSWERABLE[i % UNANSWERABLE.length]} (${i})`));
    const since = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM handovers').get() as { id: number }).id;
    const started = Date.now();
    ctx.log(`burst: ${handovers.length} handovers into ${rush!.slug}'s group, probes from ${probeTenants.length} other tenants`);
    const loaded: WireMessage[] = [];
    const probing = (async () => {
      for (let round = 1; round <= burst.probesEach; round++) {
        await sleep(2000);
        const batch = probe(round);
        loaded.push(...batch);
        await runLoad({ url, appSecret: APP_SECRET, mode: 'open', ratePerSecond: 10, concurrency: 4, durationMs: 30_000, messages: batch, out: join(ctx.workDir, `burst-probe${round}.json`) }, ctx.workDir);
      }
    })();
    await runLoad({ url, appSecret: APP_SECRET, mode: 'closed', concurrency: 32, durationMs: 60_000, messages: handovers, out: join(ctx.workDir, 'burst.json') }, ctx.workDir);
    await probing;

    // Who is named in the group, and when first, looked at every half second.
    const seen = new Map<number, number>();
    const chat = rush!.chatId;
    const look = () => {
      const texts = sims.telegram.messagesIn(chat).map((m) => m.text ?? '').join('\n');
      for (const m of texts.matchAll(NAMED)) {
        const number = Number(m[1] ?? m[2] ?? m[3]);
        if (!seen.has(number)) seen.set(number, Date.now());
      }
    };
    const opened = () => db.prepare('SELECT number, created_at AS createdAt FROM handovers WHERE id > ? AND tenant_id = ?').all(since, rush!.id) as { number: number; createdAt: number }[];
    const visible = await waitFor(() => {
      look();
      const all = opened();
      return all.length >= handovers.length && all.every((h) => seen.has(h.number));
    }, burst.visibleTimeoutMs, 500);
    const all = opened();
    await waitFor(() => reached(sims, handovers) === handovers.length && reached(sims, loaded) === loaded.length, 60_000);
    // At least one whole minute of the group's sending, so "messages in any minute" sees the budget at work.
    await sleep(Math.max(0, started + 75_000 - Date.now()));

    const groupTimes = sims.telegram.sendTimestamps(chat);
    const cards = sims.telegram.messagesIn(chat).filter((m) => /^(?:Запрос №|Request #)\d+|^№\d+ сұрау/.test(m.text ?? '')).length;
    const digestPages = db.prepare('SELECT count(*) AS n FROM desk_digest_pages WHERE tenant_id = ? AND created_at >= ?').get(rush!.id, started) as { n: number };
    return {
      concurrency: SHIPPED_CONCURRENCY, handovers: handovers.length, probeTenants: probeTenants.length,
      probeUnloaded, probeLoaded: summary(latencies(db, firstMessage, sims, loaded)), holding: summary(latencies(db, firstMessage, sims, handovers)),
      allVisibleMs: visible ? Math.max(...all.map((h) => seen.get(h.number)!)) - started : null,
      maxInvisibleMs: all.length === 0 ? null : Math.max(...all.map((h) => (seen.get(h.number) ?? Date.now()) - h.createdAt)),
      groupPerMinuteMax: maxInWindow(groupTimes, 60_000), cardsPosted: cards, digestPages: digestPages.n,
      refused: { telegram: sims.telegram.refusedSends, whatsapp: sims.graph.refusedSends },
    };
  } finally {
    await worker?.stop();
    db.close();
    await sims.close();
  }
}

/** Customers among `messages` who have had a message from the worker. */
function reached(sims: PipelineSims, messages: readonly WireMessage[]): number {
  const phones = new Set(messages.map((m) => m.from));
  return new Set(sims.graph.sends.map((s) => String(s.body.to)).filter((to) => phones.has(to))).size;
}

/** Per customer: its message stored in the cell → the first send to it at the Graph simulator (ms). */
function latencies(db: Database.Database, sinceId: number, sims: PipelineSims, messages: readonly WireMessage[]): number[] {
  const rows = db.prepare("SELECT provider_message_id AS wamid, created_at AS at FROM messages WHERE id > ? AND direction = 'inbound'").all(sinceId) as { wamid: string; at: number }[];
  const storedAt = new Map(rows.map((r) => [r.wamid, r.at]));
  const first = new Map<string, number>();
  for (const s of sims.graph.sends) {
    const to = String(s.body.to);
    if (!first.has(to)) first.set(to, s.at);
  }
  const out: number[] = [];
  for (const m of messages) {
    const at = storedAt.get(m.wamid);
    const sent = first.get(m.from);
    if (at !== undefined && sent !== undefined) out.push(sent - at);
  }
  return out;
}

function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
