import { scrubText } from '../../observability/redact.js';
import { formatBytes } from '../probes/disk.js';
import { healthProblems, runnerTickMsAgo } from '../probes/http-probe.js';
import { formatAge, formatTime } from '../format-age.js';
import type { Facts } from './facts.js';
import type { Finding, Rule } from './rule.js';

const MINUTE = 60_000;

const one = (rule: string, summary: string, fix: string): Finding[] => [{ key: rule, subject: null, summary, fix }];
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
const isRemote = (f: Facts) => /^https?:\/\//.test(f.target);

/** /healthz gave no HTTP answer at all: the worker is down, or (remote) the network or host is. */
const workerUnreachable: Rule = {
  id: 'worker_unreachable',
  title: 'Worker not answering',
  forMs: MINUTE, // the supervisor restarts a crashed worker within seconds; only a longer gap needs a person
  evaluate(f) {
    if (!f.worker) return null;
    const h = f.worker.healthz;
    if (h.status !== null) return [];
    return one(this.id, `${h.url}: ${h.error}`, isRemote(f)
      ? 'check that the cell\'s host is up and reachable from here; on the cell: sudo systemctl status botctl, journalctl -u botctl -n 200, then sudo systemctl restart botctl'
      : 'sudo systemctl status botctl and journalctl -u botctl -n 200 show why it stopped; sudo systemctl restart botctl starts it');
  },
};

/** /healthz answered but not OK: the process lives but cannot write its database. */
const workerUnhealthy: Rule = {
  id: 'worker_unhealthy',
  title: 'Worker unhealthy',
  forMs: MINUTE,
  evaluate(f) {
    if (!f.worker) return null;
    const h = f.worker.healthz;
    if (h.status === null || h.ok) return [];
    const workerFix = healthProblems(h.body).map((p) => p.fix).find((x) => x !== null);
    return one(this.id, `${h.url} ${h.error}`, `${workerFix ? `${workerFix}; ` : ''}check free disk (df -h on the data folder) and run botctl doctor on the cell; sudo systemctl restart botctl if it does not recover`);
  },
};

/** /readyz says the job runner stopped turning while the process still answers. */
const workerNotReady: Rule = {
  id: 'worker_not_ready',
  title: 'Worker not ready (job runner stalled)',
  forMs: 2 * MINUTE,
  evaluate(f) {
    if (!f.worker) return null;
    const r = f.worker.readyz;
    if (!f.worker.healthz.ok || !r) return f.worker.healthz.status === null ? null : [];
    if (r.ok) return [];
    const tick = runnerTickMsAgo(r.body);
    const problems = healthProblems(r.body);
    const detail = problems.length > 0 ? problems.map((p) => p.detail ?? `${p.name} failing`).join('; ')
      : tick !== null ? `the job runner last looked at the queue ${formatAge(tick)} ago` : (r.error ?? 'not ready');
    const workerFix = problems.map((p) => p.fix).find((x) => x !== null);
    return one(this.id, `${r.url}: ${detail}`, `replies and cards are not being sent${workerFix ? `: ${workerFix}` : ''}; journalctl -u botctl -n 200 shows the stuck job or error; sudo systemctl restart botctl if it does not recover by itself`);
  },
};

const jobBacklog: Rule = {
  id: 'job_backlog',
  title: 'Jobs waiting too long',
  forMs: 2 * MINUTE,
  evaluate(f, limits) {
    if (!f.queue) return null;
    const oldest = f.queue.oldestDueAt;
    if (oldest === null || f.at - oldest <= limits.backlogMs) return [];
    return one(this.id, `the oldest of ${f.queue.due} due jobs has waited ${formatAge(f.at - oldest)} (limit ${formatAge(limits.backlogMs)}); ${f.queue.running} running`,
      'botctl status shows whether the worker runs; botctl jobs list --state pending shows what waits; botctl doctor checks the LLM and WhatsApp answer');
  },
};

const deadJobs: Rule = {
  id: 'dead_jobs',
  title: 'Dead jobs',
  forMs: 0, // a dead job is already the end of all its retries
  evaluate(f) {
    const d = f.deadJobs;
    if (!d) return null;
    if (d.count === 0) return [];
    const kinds = Object.entries(d.kinds).map(([k, n]) => `${n} ${k}`).join(', ');
    const newest = d.newest ? `; newest #${d.newest.id} ${d.newest.kind}${d.newest.tenant ? ` (${d.newest.tenant})` : ''}: ${scrubText(d.newest.lastError ?? 'no error recorded').slice(0, 200)}` : '';
    return one(this.id, `${d.count} jobs gave up in the last ${formatAge(d.windowMs)} (${kinds})${newest}`,
      'botctl jobs list --state dead shows each with its last error; fix the cause, then botctl jobs retry <id>');
  },
};

const outboundFailures: Rule = {
  id: 'outbound_failures',
  title: 'WhatsApp replies failing',
  forMs: 5 * MINUTE,
  evaluate(f, limits) {
    const o = f.outbound;
    if (!o) return null;
    if (o.total < limits.minSample || o.failed / o.total <= limits.outboundFailureRate) return [];
    const top = o.topTenants.map((t) => `${t.slug} ${t.failed}`).join(', ');
    return one(this.id, `${o.failed} of ${o.total} outbound messages failed in the last ${formatAge(o.windowMs)} (${pct(o.failed / o.total)}, limit ${pct(limits.outboundFailureRate)})${top ? `; most: ${top}` : ''}${o.sample ? `; e.g. ${scrubText(o.sample).slice(0, 160)}` : ''}`,
      'botctl doctor checks every tenant\'s WhatsApp token; botctl jobs list --state dead --kind deliver_message shows the errors (131047 = the 24-hour window closed, 190 = token, 130429 = rate limit)');
  },
};

const llmErrors: Rule = {
  id: 'llm_errors',
  title: 'LLM failing',
  forMs: 5 * MINUTE,
  evaluate(f, limits) {
    const l = f.llm;
    if (!l) return null;
    if (l.total < limits.minSample || l.failed / l.total <= limits.llmErrorRate) return [];
    return one(this.id, `${l.failed} of ${l.total} LLM calls failed or timed out in the last ${formatAge(l.windowMs)} (${pct(l.failed / l.total)}, limit ${pct(limits.llmErrorRate)})${l.sample ? `; last: ${scrubText(l.sample).slice(0, 160)}` : ''}`,
      'customers get holding replies and managers get the conversations meanwhile; check the provider\'s status page and run botctl doctor (key, model, base URL)');
  },
};

const diskFull: Rule = {
  id: 'disk_full',
  title: 'Disk almost full',
  forMs: 2 * MINUTE,
  evaluate(f, limits) {
    const d = f.disk;
    if (!d) return null;
    if (d.usedRatio <= limits.diskMaxRatio) return [];
    return one(this.id, `${d.path} is ${pct(d.usedRatio)} full, ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}`,
      `free space now (when it is full SQLite refuses writes and webhooks fail): du -sh ${d.path}/* and journalctl --vacuum-size=200M; then grow the disk`);
  },
};

const replicationStale: Rule = {
  id: 'replication_stale',
  title: 'Backup (Litestream) not syncing',
  forMs: 5 * MINUTE,
  evaluate(f, limits) {
    const r = f.replication;
    if (!r) return null;
    if (r.lastSyncAt === null && r.error === null && r.how === 'unknown') return null;
    const age = r.lastSyncAt === null ? null : f.at - r.lastSyncAt;
    const stale = age === null || age > limits.replicaMaxAgeMs;
    if (!stale && r.newErrors === 0) return [];
    const what = age === null ? (r.error ?? `nothing has reached ${r.replica} yet`)
      : stale ? `${r.replica} last changed ${formatAge(age)} ago (${formatTime(r.lastSyncAt!)}; limit ${formatAge(limits.replicaMaxAgeMs)})`
      : `${r.newErrors} Litestream sync errors since the last look`;
    const error = r.error && age !== null ? `; ${r.error}` : '';
    return one(this.id, `${what}${error} (${r.how})`,
      'if the disk is lost now, messages since the last sync are lost: journalctl -u botctl | grep -i litestream shows why; botctl doctor checks the replica is reachable and its credentials');
  },
};

/** Watch itself could not look at part of the cell: silence would otherwise look like health. */
const watchBlind: Rule = {
  id: 'watch_blind',
  title: 'Watch cannot see part of the cell',
  forMs: 2 * MINUTE,
  evaluate(f) {
    return f.blind.map((b) => ({ key: `${this.id}:${b.what}`, subject: b.what, summary: `${b.what}: ${scrubText(b.error)}`, fix: 'run botctl doctor on the cell; check the data folder is readable by the user watch runs as (botctl)' }));
  },
};

export const WORKER_RULES: readonly Rule[] = [workerUnreachable, workerUnhealthy, workerNotReady, jobBacklog, deadJobs, outboundFailures, llmErrors, diskFull, replicationStale, watchBlind];

