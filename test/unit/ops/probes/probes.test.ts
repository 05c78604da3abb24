import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { mapBounded } from '../../../../src/ops/probes/bounded.js';
import { displayUrl, healthProblems, localBaseUrl, probe, runnerTickMsAgo } from '../../../../src/ops/probes/http-probe.js';
import { parsePromText, sumOf } from '../../../../src/ops/probes/prom-text.js';
import { LitestreamMetricsTracker, localReplicaPath, parseGenerations } from '../../../../src/ops/probes/replication.js';
import { cellProcesses } from '../../../../src/ops/status/processes.js';
import { formatAge } from '../../../../src/ops/format-age.js';
import { freePort } from '../../../helpers/ports.js';

describe('probes', () => {
  test('Prometheus text: labels, escapes, comments; sums by name and labels', () => {
    const samples = parsePromText([
      '# HELP botctl_jobs Jobs in the queue',
      '# TYPE botctl_jobs gauge',
      'botctl_jobs{state="pending",kind="deliver_message"} 3',
      'botctl_jobs{state="pending",kind="post_handover_card"} 2',
      'botctl_jobs{state="dead",kind="deliver_message"} 1',
      'litestream_sync_count{db="/var/lib/botctl/botctl.db",name="a \\"q\\""} 1.5e3',
      'garbage line',
    ].join('\n'));
    expect(sumOf(samples, 'botctl_jobs', { state: 'pending' })).toBe(5);
    expect(sumOf(samples, 'botctl_jobs')).toBe(6);
    expect(sumOf(samples, 'nope')).toBeNull();
    expect(samples.find((s) => s.name === 'litestream_sync_count')).toEqual({ name: 'litestream_sync_count', labels: { db: '/var/lib/botctl/botctl.db', name: 'a "q"' }, value: 1500 });
  });

  test('health answers: failed checks with their fix, in both the new and the old shape', () => {
    const body = { ok: false, checks: { database: { ok: true }, jobRunner: { ok: false, lastTickMsAgo: 12_000, detail: 'the job runner last read the queue 12 s ago', fix: 'botctl logs' } }, failing: ['jobRunner'] };
    expect(healthProblems(body)).toEqual([{ name: 'jobRunner', detail: 'the job runner last read the queue 12 s ago', fix: 'botctl logs' }]);
    expect(runnerTickMsAgo(body)).toBe(12_000);
    expect(runnerTickMsAgo({ ok: true, jobRunner: { lastTickMsAgo: 40 } })).toBe(40);
    expect(healthProblems({ ok: false, error: 'x' })).toEqual([]);
  });

  test('a probe never throws: refused, timeout and HTTP errors are data', async () => {
    const port = await freePort();
    const refused = await probe(`http://127.0.0.1:${port}/healthz`, 1000);
    expect(refused).toMatchObject({ status: null, ok: false, error: 'connection refused (nothing listens there)' });
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const addr = silent.address() as { port: number };
      const hung = await probe(`http://127.0.0.1:${addr.port}/healthz`, 300);
      expect(hung).toMatchObject({ status: null, error: 'no answer within 300 ms' });
    } finally {
      silent.close();
    }
  });

  test('addresses: wildcard listens are reached on loopback; credentials never shown', () => {
    expect(localBaseUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(localBaseUrl('::', 8080)).toBe('http://[::1]:8080');
    expect(localBaseUrl('10.0.0.5', 81)).toBe('http://10.0.0.5:81');
    expect(displayUrl('https://user:secret@example.com/metrics')).toBe('https://example.com/metrics');
    expect(localReplicaPath('file:///backups/cell1')).toBe('/backups/cell1');
    expect(localReplicaPath('s3://bucket/cell1')).toBeNull();
  });

  test('litestream: generations table and sync-count growth', () => {
    const out = 'name  generation        lag  start                 end\nfile  77ba366dbaabbde0  3s   2026-11-24T12:43:32Z  2026-11-24T12:43:35Z\n';
    expect(parseGenerations(out)).toEqual({ lastSyncAt: Date.parse('2026-11-24T12:43:35Z'), generations: 1 });
    expect(parseGenerations('name  generation  lag  start  end\n')).toEqual({ lastSyncAt: null, generations: 0 });
    const tracker = new LitestreamMetricsTracker();
    const text = (syncs: number, errors: number) => `litestream_sync_count{db="/d"} ${syncs}\nlitestream_sync_error_count{db="/d"} ${errors}\n`;
    expect(tracker.observe(text(10, 0), 1000)).toEqual({ lastSyncAt: 1000, newErrors: 0, error: null });
    expect(tracker.observe(text(10, 0), 2000).lastSyncAt).toBe(1000); // no sync since
    expect(tracker.observe(text(12, 2), 3000)).toEqual({ lastSyncAt: 3000, newErrors: 2, error: null });
    expect(tracker.observe('other_metric 1', 4000).error).toContain('no litestream_sync_count');
  });

  test('bounded concurrency keeps order and never exceeds its limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded(Array.from({ length: 50 }, (_, i) => i), 4, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(peak).toBe(4);
  });

  test('processes: the pid listening on a port, with its start time (this test process)', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const found = cellProcesses((server.address() as { port: number }).port);
      expect(found.map((p) => [p.role, p.pid])).toEqual([['worker', process.pid]]);
      const startedAgo = Date.now() - found[0]!.startedAt;
      expect(startedAgo).toBeGreaterThanOrEqual(-1000);
      expect(startedAgo).toBeLessThan(process.uptime() * 1000 + 2000);
    } finally {
      server.close();
    }
    expect(cellProcesses(await freePort())).toEqual([]);
  });

  test('ages read like a phone screen', () => {
    expect([formatAge(4_000), formatAge(12 * 60_000), formatAge(185 * 60_000), formatAge(2 * 86_400_000 + 4 * 3_600_000)]).toEqual(['4s', '12m', '3h 5m', '2d 4h']);
  });
});
