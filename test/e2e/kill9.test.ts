import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newWamid } from '../fakes/whatsapp.js';
import { PipelineCell } from '../helpers/pipeline-cell.js';
import { alive, startSupervisor, type SupervisorProcess } from '../helpers/supervisor-process.js';
import { until } from '../helpers/until.js';
import { postAll, type Inbound } from '../helpers/webhook-poster.js';
import { packageRoot } from '../../src/paths.js';

const KB = join(packageRoot, 'test', 'fixtures', 'kb');
const SMILE = { slug: 'smile', name: 'Smile Dental', phoneNumberId: '1000001', token: 'EAAGsmiletoken0123456789abcdefghij', knowledge: [join(KB, 'smile-services.md')] };
const CUSTOMERS = 200;
const PER_CUSTOMER = 10;
const KILLS = 12;
// Posting is paced over ~24 s so that the kills land while messages are arriving; the last 5% also wait for the
// last kill, so a fast machine cannot finish posting before the kills are done.
const PACE_MS = 12;
const DEBOUNCE_MS = 300;

// Fast restarts and a generous intensity limit: this test kills the worker on purpose, over and over. The health
// check is lenient because a worker catching up on this backlog on 2 cores has event loop delays over 1 s, which
// /healthz reports as unhealthy: only the test's kills should restart it here.
const RUN_FLAGS = ['--restart-delay', '100ms', '--restart-delay-max', '400ms', '--max-restarts', '1000', '--restart-window', '1m', '--health-interval', '300ms', '--unhealthy-after', '60s', '--drain-timeout', '5s'];
// Short leases, so the jobs a killed worker held are taken up again within seconds.
const WORKER_ARGS = ['--poll-ms', '50', '--lease-ms', '2000', '--llm-timeout-ms', '3000', '--llm-deadline-ms', '8000', '--graph-timeout-ms', '3000'];

let h: PipelineCell;
let s: SupervisorProcess;
beforeAll(async () => {
  h = await PipelineCell.start({ tenants: [SMILE], worker: false, debounceMs: DEBOUNCE_MS });
  // The fake LLM answers at once, with a text unique to each call, so a reply sent twice can be recognised.
  let n = 0;
  h.llm!.setResponder(() => ({ content: `Профессиональная чистка зубов стоит 15 000 ₸. Ответ ${letters(n++)}.` }));
  s = await startSupervisor(h.env(DEBOUNCE_MS), RUN_FLAGS, WORKER_ARGS);
}, 60_000);
afterAll(async () => {
  await s?.kill();
  for (const pid of s?.pids('worker') ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await h?.close();
});

/** 0 → "a", 25 → "z", 26 → "ba": digits would be read as facts by the guardrails. */
function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

describe('no loss under kill -9', () => {
  test(`${CUSTOMERS * PER_CUSTOMER} signed messages while the worker under botctl run is SIGKILLed at random moments`, async () => {
    await s.ready('worker');
    const messages: Inbound[] = [];
    // Customers write in pairs (a question and a follow-up a moment later), as people do; the debounce answers a pair
    // in one turn, which halves the LLM calls this 2-core test has to pay for.
    for (let round = 0; round < PER_CUSTOMER; round += 2) {
      for (let c = 0; c < CUSTOMERS; c++) {
        for (const k of [round, round + 1]) messages.push({ id: newWamid(), from: String(77_010_000_000 + c), body: `Сколько стоит чистка зубов? (вопрос ${k + 1})`, phoneNumberId: SMILE.phoneNumberId });
      }
    }
    const testDeadline = Date.now() + 150_000;

    const kills: { pid: number; at: number }[] = [];
    // Each new worker is killed a random 0.3–2.5 s after it starts listening (mid-intake, mid-job, mid-send), KILLS times.
    const listening = () => s.count('worker', 'worker started');
    const killer = (async () => {
      let lastKilled = 0;
      let listened = 0;
      while (kills.length < KILLS) {
        // The newest worker the supervisor started, once a worker has started listening since the last kill.
        const pid = await until(() => {
          const newest = s.pids('worker').at(-1);
          return newest !== lastKilled && listening() > listened ? newest : null;
        }, 30_000, 'the next worker to listen').catch((err: Error) => {
          throw new Error(`${err.message}\n${s.lines.filter((l) => !l.includes('"msg":"job done"')).slice(-20).join('\n')}`);
        });
        listened = listening();
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 2200));
        try {
          process.kill(pid, 'SIGKILL');
          kills.push({ pid, at: Date.now() });
        } catch {
          // It died on its own meanwhile (and is being restarted): not one of the test's kills.
        }
        lastKilled = pid;
        if (Date.now() > testDeadline) throw new Error('the kill loop ran past the deadline');
      }
    })();
    // Awaited below; this only keeps an early failure of the kill loop from being reported as unhandled.
    killer.catch(() => undefined);
    const postingStarted = Date.now();
    const gate = (i: number) => (i < messages.length * 0.95 ? Promise.resolve() : until(() => kills.length >= KILLS, 60_000, 'the last kill').then(() => undefined));
    const posted = await postAll(() => s.url, messages, { concurrency: 16, paceMs: PACE_MS, deadline: testDeadline, gate });
    const lastAck = Date.now();
    await killer;
    console.log(`kill -9: posting took ${((lastAck - postingStarted) / 1000).toFixed(1)} s; kills at ${kills.map((k) => ((k.at - postingStarted) / 1000).toFixed(1)).join(', ')} s`);

    expect(posted.acked.size).toBe(messages.length);
    expect(kills.length).toBeGreaterThanOrEqual(KILLS);
    // The kills happened while messages were still arriving, and the posting client really had to retry.
    expect(kills.every((k) => k.at < lastAck)).toBe(true);
    expect(posted.networkFailures).toBeGreaterThan(0);

    const acked = [...posted.acked];
    type Row = { provider_message_id: string; outcome: string | null; dead_error: string | null };
    const rows = () => {
      const dead = new Map(h.query<{ trace_id: string; last_error: string }>("SELECT trace_id, last_error FROM jobs WHERE kind = 'handle_inbound' AND state = 'dead'").map((j) => [j.trace_id, j.last_error]));
      return h.query<Omit<Row, 'dead_error'> & { trace_id: string }>("SELECT provider_message_id, outcome, trace_id FROM messages WHERE direction = 'inbound'")
        .map((m): Row => ({ provider_message_id: m.provider_message_id, outcome: m.outcome, dead_error: dead.get(m.trace_id) ?? null }));
    };
    // Polled every half second with one cheap count: the worker needs the CPU more than this test does.
    const open = () => h.query<{ n: number }>(`SELECT (SELECT count(*) FROM messages WHERE direction = 'inbound' AND outcome IS NULL)
      + (SELECT count(*) FROM jobs WHERE kind IN ('handle_inbound', 'deliver_message') AND state IN ('pending', 'running')) AS n`)[0]!.n;
    while (open() > 0 && Date.now() < testDeadline) await new Promise((r) => setTimeout(r, 500));

    const byId = new Map(rows().map((r) => [r.provider_message_id, r]));
    const outcomes: Record<string, number> = {};
    for (const id of acked) {
      const row = byId.get(id);
      expect(row, `acknowledged message ${id} is in the database`).toBeDefined();
      const outcome = row!.outcome ?? `dead: ${row!.dead_error}`;
      expect(['replied', 'escalated', 'relayed', 'ignored'].includes(outcome) || (row!.outcome === null && Boolean(row!.dead_error))).toBe(true);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    expect(h.query('SELECT count(*) AS n FROM messages WHERE direction = ?', 'inbound')).toEqual([{ n: messages.length }]);

    // Every reply the cell decided on reached the Graph API; a duplicate is only possible when a kill fell between
    // the Graph API accepting the send and the commit that records it.
    const replies = h.query<{ body: string; provider_message_id: string | null; delivery_status: string }>("SELECT body, provider_message_id, delivery_status FROM messages WHERE direction = 'outbound'");
    expect(replies.filter((r) => r.delivery_status !== 'sent' && r.delivery_status !== 'delivered' && r.delivery_status !== 'read')).toEqual([]);
    const sends = new Map<string, { at: number; wamid: string }[]>();
    for (const send of h.graph.sends) {
      const key = `${String(send.body.to)} ${(send.body.text as { body: string }).body}`;
      sends.set(key, [...(sends.get(key) ?? []), { at: send.at, wamid: send.wamid }]);
    }
    const duplicates = [...sends.values()].filter((list) => list.length > 1);
    const extraSends = duplicates.reduce((sum, list) => sum + list.length - 1, 0);
    for (const list of duplicates) {
      expect(kills.some((k) => k.at >= list[0]!.at - 50 && k.at <= list.at(-1)!.at), 'a kill fell between the two sends').toBe(true);
    }
    const recorded = new Set(replies.map((r) => r.provider_message_id));
    for (const list of sends.values()) expect(recorded.has(list.at(-1)!.wamid)).toBe(true);
    expect(h.graph.sends.length).toBe(replies.length + extraSends);

    console.log(`kill -9: ${messages.length} messages acknowledged after ${posted.attempts} POSTs (${posted.networkFailures} refused or cut off), `
      + `${kills.length} worker kills, outcomes ${JSON.stringify(outcomes)}, ${replies.length} replies, `
      + `${extraSends} duplicate repl${extraSends === 1 ? 'y' : 'ies'} at the Graph API (a kill between send and commit)`);
    expect(await s.stop()).toBe(0);
  }, 180_000);
});
