import { describe, expect, test } from 'vitest';
import type { ProbeResult } from '../../../../src/ops/probes/http-probe.js';
import { emptyFacts, type Facts } from '../../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS } from '../../../../src/ops/watch/rule.js';
import { evaluateRules, RULES } from '../../../../src/ops/watch/rules.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

function facts(patch: Partial<Facts>): Facts {
  return { ...emptyFacts(NOW, 'local /var/lib/botctl'), ...patch };
}

function probe(url: string, status: number | null, body: unknown = { ok: status === 200 }, error: string | null = null): ProbeResult {
  return { url, status, ok: status !== null && status < 300, error: error ?? (status === null ? 'connection refused (nothing listens there)' : status >= 300 ? `answered HTTP ${status}` : null), body, ms: 1 };
}

/** Rule id → summaries of what it found; only rules that found something. */
function firing(f: Facts): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { rule, findings } of evaluateRules(f, DEFAULT_LIMITS)) if (findings && findings.length > 0) out[rule.id] = findings.map((x) => x.summary);
  return out;
}

function unknown(f: Facts): string[] {
  return evaluateRules(f, DEFAULT_LIMITS).filter((e) => e.findings === null).map((e) => e.rule.id);
}

describe('watch rules', () => {
  test('nothing known: every rule is unknown, none fires', () => {
    expect(firing(facts({}))).toEqual({});
    expect(unknown(facts({}))).toEqual(RULES.map((r) => r.id).filter((id) => id !== 'watch_blind'));
  });

  test('worker: no answer, an unhealthy answer, and a stalled job runner are three distinct alerts', () => {
    const base = 'http://127.0.0.1:8080';
    expect(Object.keys(firing(facts({ worker: { baseUrl: base, healthz: probe(`${base}/healthz`, null), readyz: null } })))).toEqual(['worker_unreachable']);
    const unhealthy = { ok: false, checks: { database: { ok: false, detail: 'database not writable: disk I/O error', fix: 'check disk space' } }, failing: ['database'] };
    const sick = firing(facts({ worker: { baseUrl: base, healthz: probe(`${base}/healthz`, 503, unhealthy, 'answered HTTP 503: database not writable: disk I/O error'), readyz: probe(`${base}/readyz`, 200) } }));
    expect(Object.keys(sick)).toEqual(['worker_unhealthy']);
    expect(sick.worker_unhealthy![0]).toContain('disk I/O error');
    const stalled = { ok: false, checks: { jobRunner: { ok: false, lastTickMsAgo: 95_000, detail: 'the job runner last read the queue 95 s ago' } }, failing: ['jobRunner'] };
    const notReady = firing(facts({ worker: { baseUrl: base, healthz: probe(`${base}/healthz`, 200), readyz: probe(`${base}/readyz`, 503, stalled) } }));
    expect(notReady).toEqual({ worker_not_ready: [`${base}/readyz: the job runner last read the queue 95 s ago`] });
    // An older worker's readyz shape is understood too.
    const old = firing(facts({ worker: { baseUrl: base, healthz: probe(`${base}/healthz`, 200), readyz: probe(`${base}/readyz`, 503, { ok: false, jobRunner: { lastTickMsAgo: 120_000 } }) } }));
    expect(old.worker_not_ready![0]).toContain('2m ago');
  });

  test('job backlog fires only past the limit', () => {
    const queue = { pending: 40, running: 2, dead: 0, done: 0, due: 12, oldestDueAt: NOW - 4 * MIN };
    expect(firing(facts({ queue }))).toEqual({});
    const late = firing(facts({ queue: { ...queue, oldestDueAt: NOW - 7 * MIN } }));
    expect(late.job_backlog![0]).toContain('the oldest of 12 due jobs has waited 7m (limit 5m)');
  });

  test('dead jobs name the newest with its error, secrets scrubbed', () => {
    const deadJobs = { count: 3, kinds: { deliver_message: 2, post_handover_card: 1 }, windowMs: DAY,
      newest: { id: 17, kind: 'deliver_message', tenant: 'dental', lastError: 'Bearer EAAGm0PX4ZCpsBAabcdefghijklmnopqrstu refused', at: NOW - MIN } };
    const out = firing(facts({ deadJobs }));
    expect(out.dead_jobs![0]).toContain('3 jobs gave up in the last 1d (2 deliver_message, 1 post_handover_card); newest #17 deliver_message (dental)');
    expect(out.dead_jobs![0]).not.toContain('EAAGm0PX4ZCpsBA');
    expect(firing(facts({ deadJobs: { ...deadJobs, count: 0, kinds: {}, newest: null } }))).toEqual({});
  });

  test('failure rates need a minimum sample and must pass the limit', () => {
    const rate = (total: number, failed: number) => ({ total, failed, sample: '131047: outside the window', topTenants: [{ slug: 'dental', failed }], windowMs: 15 * MIN });
    expect(firing(facts({ outbound: rate(5, 5), llm: rate(9, 9) }))).toEqual({});
    expect(firing(facts({ outbound: rate(100, 20), llm: rate(100, 30) }))).toEqual({});
    const out = firing(facts({ outbound: rate(100, 21), llm: rate(100, 31) }));
    expect(out.outbound_failures![0]).toContain('21 of 100 outbound messages failed in the last 15m (21%, limit 20%); most: dental 21');
    expect(out.llm_errors![0]).toContain('31 of 100 LLM calls failed');
  });

  test('per-tenant problems are one finding per tenant, with the tenant in the fix', () => {
    const f = facts({
      whatsappBroken: [{ slug: 'acme', status: 'token_broken', detail: '(#190) Error validating access token' }],
      telegramUnreachable: [{ slug: 'acme', status: 'removed', detail: 'bot was kicked' }, { slug: 'dental', status: 'forbidden', detail: null }],
      overdueHandovers: [{ slug: 'dental', waiting: 2, oldestNumber: 41, oldestCreatedAt: NOW - 25 * MIN, limitMs: 20 * MIN }],
    });
    const evaluations = evaluateRules(f, DEFAULT_LIMITS);
    const of = (id: string) => evaluations.find((e) => e.rule.id === id)!.findings!;
    expect(of('whatsapp_token_broken').map((x) => x.key)).toEqual(['whatsapp_token_broken:acme']);
    expect(of('whatsapp_token_broken')[0]!.fix).toContain('botctl tenant update acme --whatsapp-token');
    expect(of('telegram_chat_unreachable').map((x) => x.summary)).toEqual([
      'acme: the bot was removed from the managers chat (bot was kicked); handovers reach nobody',
      'dental: the bot may not write to the managers chat; handovers reach nobody',
    ]);
    expect(of('handover_overdue')[0]!.summary).toBe('dental: 2 requests nobody took; #41 has waited 25m (every reminder went unanswered after 20m)');
  });

  test('a tenant is silent only against enough history, and only well past its longest usual gap', () => {
    const history = (slug: string, lastAgo: number, messages: number, spanDays: number, longestGapMs: number) =>
      ({ slug, lastInboundAt: NOW - lastAgo, messages, firstAt: NOW - lastAgo - spanDays * DAY, longestGapMs });
    const f = facts({
      inboundHistory: [
        history('busy', 20 * 3_600_000, 500, 14, 9 * 3_600_000), // 20h silent, longest usual gap 9h → 2.2× → silent
        history('weekend', 60 * 3_600_000, 200, 14, 40 * 3_600_000), // 60h, but weekends are 40h: within 2×
        history('new', 30 * 3_600_000, 500, 3, 3_600_000), // only 3 days of history
        history('quiet', 30 * 3_600_000, 10, 14, 3_600_000), // only 10 messages
      ],
    });
    const out = firing(f);
    expect(out).toEqual({ tenant_silent: ['busy: no customer message for 20h; its longest silence in the 14d before was 9h (500 messages)'] });
  });

  test('disk over 90% and a stale or empty replica fire; a fresh replica does not', () => {
    const disk = { path: '/var/lib/botctl', usedRatio: 0.93, freeBytes: 3 * 1024 ** 3, totalBytes: 40 * 1024 ** 3 };
    expect(firing(facts({ disk })).disk_full).toEqual(['/var/lib/botctl is 93% full, 3.0 GB free of 40 GB']);
    const fresh = { replica: 's3://bucket/cell1', lastSyncAt: NOW - 10_000, how: 'replica files' as const, newErrors: 0, error: null };
    expect(firing(facts({ replication: fresh }))).toEqual({});
    expect(firing(facts({ replication: { ...fresh, lastSyncAt: NOW - 20 * MIN } })).replication_stale![0]).toContain('s3://bucket/cell1 last changed 20m ago');
    expect(firing(facts({ replication: { ...fresh, lastSyncAt: null } })).replication_stale![0]).toContain('nothing has reached s3://bucket/cell1 yet');
    expect(firing(facts({ replication: { ...fresh, newErrors: 2 } })).replication_stale![0]).toContain('2 Litestream sync errors');
    expect(unknown(facts({ replication: { ...fresh, lastSyncAt: null, how: 'unknown' } }))).toContain('replication_stale');
  });

  test('what watch cannot see is an alert of its own', () => {
    expect(firing(facts({ blind: [{ what: 'database', error: 'the data folder /var/lib/botctl does not exist' }] }))).toEqual({
      watch_blind: ['database: the data folder /var/lib/botctl does not exist'],
    });
  });

  test('every rule that fires says what to do', () => {
    const f = facts({
      worker: { baseUrl: 'http://h', healthz: probe('http://h/healthz', null), readyz: null },
      queue: { pending: 1, running: 0, dead: 0, done: 0, due: 1, oldestDueAt: NOW - 60 * MIN },
      whatsappBroken: [{ slug: 'a', status: 'token_broken', detail: null }],
      disk: { path: '/d', usedRatio: 0.99, freeBytes: 1, totalBytes: 100 },
    });
    const found = evaluateRules(f, DEFAULT_LIMITS).flatMap((e) => e.findings ?? []);
    expect(found.length).toBe(4);
    for (const x of found) expect(x.fix).toMatch(/botctl|systemctl|du -sh/);
  });
});
