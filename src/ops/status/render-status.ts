import { formatBytes } from '../probes/disk.js';
import { formatAge } from '../format-age.js';
import type { StatusReport } from './collect-status.js';
import { describeDestination } from '../destinations.js';

/** The one screen `botctl status` prints. */
export function statusLines(s: StatusReport): string[] {
  const w = s.worker;
  const age = (ms: number | null) => (ms === null ? '-' : `${formatAge(ms)} ago`);
  const lines: string[] = [];
  const workerProcess = s.processes.find((p) => p.role === 'worker');
  const uptime = workerProcess ? `, pid ${workerProcess.pid} up ${formatAge(s.at - workerProcess.startedAt)}` : '';
  lines.push(w.healthy && w.ready
    ? `✓ worker      ${w.url}: healthy and ready${uptime}${w.runnerLastTickMsAgo !== null ? `, queue read ${formatAge(w.runnerLastTickMsAgo)} ago` : ''}`
    : `✗ worker      ${w.url}: ${w.problem ?? 'not ready'} — sudo systemctl status botctl; journalctl -u botctl -n 100`);
  const supervisor = s.processes.find((p) => p.role === 'supervisor');
  const litestream = s.processes.find((p) => p.role === 'litestream');
  if (supervisor) lines.push(`✓ botctl run  pid ${supervisor.pid} up ${formatAge(s.at - supervisor.startedAt)}${litestream ? `; litestream pid ${litestream.pid} up ${formatAge(s.at - litestream.startedAt)}` : ''}`);
  else if (workerProcess) lines.push('- botctl run  the worker runs without the supervisor (started by hand?): sudo systemctl start botctl runs it supervised');
  lines.push(s.watch
    ? `${s.watch.firing.length === 0 ? '✓' : '✗'} watch       last check ${age(s.at - s.watch.lastTickAt)}; ${s.watch.firing.length === 0 ? 'nothing firing' : `firing: ${s.watch.firing.slice(0, 5).join(', ')}${s.watch.firing.length > 5 ? ` and ${s.watch.firing.length - 5} more` : ''}`}`
    : '- watch       no state on this host (sudo systemctl enable --now botctl-watch to get alerts)');
  const r = s.replication;
  lines.push(!r.configured
    ? '- backup      LITESTREAM_REPLICA_URL is not set: the database is not replicated off this machine'
    : `${r.ageMs !== null ? '✓' : '?'} backup      ${r.replica}: ${r.ageMs !== null ? `last change ${formatAge(r.ageMs)} ago` : r.note ?? 'unknown'}`);
  if (s.disk) lines.push(`${s.disk.usedRatio > 0.9 ? '✗' : '✓'} disk        ${Math.round(s.disk.usedRatio * 100)}% used, ${formatBytes(s.disk.freeBytes)} free (${s.dataDir})`);
  const q = s.queue;
  lines.push('', `queue         ${q.pending} pending (${q.due} due${q.oldestDueAgeMs !== null ? `, oldest waiting ${formatAge(q.oldestDueAgeMs)}` : ''}), ${q.running} running, ${q.dead} dead${q.dead > 0 ? ' (botctl jobs list --state dead)' : ''}`);
  if (s.lanes.length > 0) {
    lines.push(`  by lane     ${s.lanes.map((l) => `${l.lane} ${l.due} due${l.oldestDueAgeMs !== null ? ` (oldest ${formatAge(l.oldestDueAgeMs)})` : ''}`).join(', ')}`);
  }
  for (const d of s.destinations) {
    lines.push(`  ✗ ${describeDestination(d.key)}${d.tenant ? ` (${d.tenant})` : ''}: ${d.waiting} job${d.waiting === 1 ? '' : 's'} waiting for its rate limit, oldest ${formatAge(d.waitingMs)}`);
  }
  const h = s.handovers;
  lines.push(`handovers     ${h.waiting} waiting for a manager${h.oldestWaitingAgeMs !== null ? ` (oldest ${formatAge(h.oldestWaitingAgeMs)})` : ''}, ${h.taken} taken`);
  const t = s.tenants;
  lines.push(`tenants       ${t.active} active of ${t.total}; ${t.neverHeard} never heard from`);
  if (t.recent.length > 0) {
    lines.push('', 'last customer message');
    const width = Math.max(...t.recent.map((x) => x.slug.length));
    for (const x of t.recent) lines.push(`  ${x.slug.padEnd(width)}  ${formatAge(x.agoMs)} ago`);
  }
  return lines;
}
