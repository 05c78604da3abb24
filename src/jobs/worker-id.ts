import { hostname } from 'node:os';

/** How a worker names itself in the leases it takes: `<host>:<pid>`. */
export function localWorkerId(pid = process.pid): string {
  return `${hostname()}:${pid}`;
}

/**
 * True when `workerId` names a process on this host that no longer exists, so its leases can be taken back at once
 * instead of after they run out (a worker restarted after a crash finds its predecessor's jobs). A process that
 * exists but belongs to another user counts as alive; so does any worker of another host, or this process.
 */
export function isGoneLocalWorker(workerId: string): boolean {
  const match = /^(.*):(\d+)$/.exec(workerId);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
