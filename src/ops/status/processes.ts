import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process of the cell as /proc shows it. */
export interface CellProcess {
  role: 'worker' | 'supervisor' | 'litestream';
  pid: number;
  startedAt: number;
}

// Linux reports process start times in clock ticks since boot; USER_HZ is 100 on every architecture Linux
// exposes to user space (the kernel's own HZ may differ), and Node cannot ask sysconf.
const CLK_TCK = 100;

/**
 * The processes of the cell, found from the worker's listening port: the worker (whoever listens on `port`), its
 * parent when that is `botctl run` (the supervisor), and the supervisor's `litestream` child. Linux only and
 * best-effort: an empty list when /proc cannot tell (another OS, or processes of a user we may not inspect).
 */
export function cellProcesses(port: number, proc = '/proc'): CellProcess[] {
  try {
    const inodes = listeningInodes(port, proc);
    if (inodes.size === 0) return [];
    const worker = pidOwningSocket(inodes, proc);
    if (worker === null) return [];
    const boot = bootTime(proc);
    const found: CellProcess[] = [{ role: 'worker', pid: worker, startedAt: startedAt(worker, boot, proc) }];
    const parent = stat(worker, proc).ppid;
    if (parent > 1 && /\brun\.js\0(?:--\0)?run\b|\bbotctl\0run\b/.test(cmdline(parent, proc))) {
      found.push({ role: 'supervisor', pid: parent, startedAt: startedAt(parent, boot, proc) });
      for (const pid of pids(proc)) {
        const s = safeStat(pid, proc);
        if (s && s.ppid === parent && s.comm === 'litestream') found.push({ role: 'litestream', pid, startedAt: startedAt(pid, boot, proc) });
      }
    }
    return found;
  } catch {
    return [];
  }
}

function listeningInodes(port: number, proc: string): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(`${proc}/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st … inode (index 9); st 0A = LISTEN
      if (cols.length > 9 && cols[1]!.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function pidOwningSocket(inodes: Set<string>, proc: string): number | null {
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const pid of pids(proc)) {
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`${proc}/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

function pids(proc: string): number[] {
  return readdirSync(proc).filter((d) => /^\d+$/.test(d)).map(Number);
}

/** /proc/<pid>/stat: `pid (comm) state ppid … starttime(22)`; comm may hold spaces and parentheses. */
function stat(pid: number, proc: string): { comm: string; ppid: number; startTicks: number } {
  const text = readFileSync(`${proc}/${pid}/stat`, 'utf8');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(rest[1]), startTicks: Number(rest[19]) };
}

function safeStat(pid: number, proc: string): ReturnType<typeof stat> | null {
  try {
    return stat(pid, proc);
  } catch {
    return null;
  }
}

function cmdline(pid: number, proc: string): string {
  try {
    return readFileSync(`${proc}/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function bootTime(proc: string): number {
  const line = readFileSync(`${proc}/stat`, 'utf8').split('\n').find((l) => l.startsWith('btime '));
  return Number(line?.split(' ')[1] ?? 0) * 1000;
}

function startedAt(pid: number, bootMs: number, proc: string): number {
  return bootMs + (stat(pid, proc).startTicks / CLK_TCK) * 1000;
}
