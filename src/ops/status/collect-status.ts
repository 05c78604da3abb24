import type { Config } from '../../config/config.js';
import { errorMessage } from '../../errors.js';
import type { Db } from '../../storage/open-db.js';
import { OpsStore, type DestinationRow, type LastInboundRow, type QueueRow } from '../../storage/ops-store.js';
import { diskUsage, type DiskUsage } from '../probes/disk.js';
import { displayUrl, localBaseUrl, probe, runnerTickMsAgo } from '../probes/http-probe.js';
import { localReplicaPath, newestReplicaMtime } from '../probes/replication.js';
import type { WatchState } from '../watch/engine.js';
import { cellProcesses, type CellProcess } from './processes.js';

export interface StatusReport {
  at: number;
  dataDir: string;
  worker: {
    url: string;
    /** /healthz: alive and the database writable. */
    healthy: boolean;
    /** /readyz: the job runner is turning. */
    ready: boolean;
    problem: string | null;
    runnerLastTickMsAgo: number | null;
  };
  /** The worker, and `botctl run` and Litestream when it supervises them, with their start times (Linux /proc). */
  processes: CellProcess[];
  watch: { lastTickAt: number; firing: string[] } | null;
  queue: QueueRow & { oldestDueAgeMs: number | null };
  /** Due jobs per lane and how long the oldest has waited. */
  lanes: { lane: string; due: number; oldestDueAgeMs: number | null }[];
  /** Rate-limited destinations with jobs waiting for their budget, longest-waiting first. */
  destinations: (DestinationRow & { waitingMs: number })[];
  handovers: { waiting: number; taken: number; oldestWaitingAgeMs: number | null };
  tenants: { total: number; active: number; neverHeard: number; recent: (LastInboundRow & { agoMs: number })[] };
  replication: { configured: false } | { configured: true; replica: string; lastSyncAt: number | null; ageMs: number | null; note: string | null };
  disk: DiskUsage | null;
}

export interface StatusInputs {
  config: Config;
  db: Db;
  /** The persisted state of `botctl watch`, when it runs on this host. */
  watchState: WatchState | null;
  top: number;
  timeoutMs: number;
  clock?: () => number;
}

/** Everything `botctl status` shows, read from the local worker's HTTP endpoints, the database and the disk. */
export async function collectStatus(inputs: StatusInputs): Promise<StatusReport> {
  const { config, db } = inputs;
  const now = (inputs.clock ?? Date.now)();
  const ops = new OpsStore(db);
  const base = localBaseUrl(config.httpHost, config.httpPort);
  const [healthz, readyz] = await Promise.all(['/healthz', '/readyz'].map((p) => probe(base + p, inputs.timeoutMs)));
  const tick = runnerTickMsAgo(readyz!.body);

  const queue = ops.queue(now);
  const handovers = ops.handoverCounts();
  const inbound = ops.lastInbound(inputs.top);
  const firing = inputs.watchState ? Object.values(inputs.watchState.alerts).filter((a) => a.firing).map((a) => a.key) : [];
  return {
    at: now,
    dataDir: config.dataDir,
    worker: {
      url: base,
      healthy: healthz!.ok,
      ready: readyz!.ok,
      problem: healthz!.ok ? (readyz!.ok ? null : `/readyz ${readyz!.error}`) : `/healthz ${healthz!.error}`,
      runnerLastTickMsAgo: tick,
    },
    processes: cellProcesses(config.httpPort),
    watch: inputs.watchState?.lastTickAt ? { lastTickAt: inputs.watchState.lastTickAt, firing } : null,
    queue: { ...queue, oldestDueAgeMs: queue.oldestDueAt === null ? null : now - queue.oldestDueAt },
    lanes: ops.lanes(now).map((l) => ({ lane: l.lane, due: l.due, oldestDueAgeMs: l.oldestDueAt === null ? null : now - l.oldestDueAt })),
    destinations: ops.destinations(inputs.top).map((d) => ({ ...d, waitingMs: now - d.waitingSince })),
    handovers: { waiting: handovers.waiting, taken: handovers.taken, oldestWaitingAgeMs: handovers.oldestWaitingAt === null ? null : now - handovers.oldestWaitingAt },
    tenants: { total: inbound.tenants, active: inbound.active, neverHeard: inbound.neverHeard, recent: inbound.recent.map((r) => ({ ...r, agoMs: now - r.lastInboundAt })) },
    replication: await replication(config.litestreamReplicaUrl, now),
    disk: await diskUsage(config.dataDir).catch(() => null),
  };
}

async function replication(url: string | null, now: number): Promise<StatusReport['replication']> {
  if (!url) return { configured: false };
  const replica = displayUrl(url);
  const local = localReplicaPath(url);
  if (!local) return { configured: true, replica, lastSyncAt: null, ageMs: null, note: 'remote replica: botctl doctor reads its last sync with litestream generations' };
  try {
    const lastSyncAt = await newestReplicaMtime(local);
    return { configured: true, replica, lastSyncAt, ageMs: lastSyncAt === null ? null : now - lastSyncAt, note: lastSyncAt === null ? 'the replica folder is empty' : null };
  } catch (err) {
    return { configured: true, replica, lastSyncAt: null, ageMs: null, note: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${local} does not exist yet` : errorMessage(err) };
  }
}
