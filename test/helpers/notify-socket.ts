import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { until } from './until.js';

export interface NotifySocket {
  /** What NOTIFY_SOCKET is set to. */
  path: string;
  /** Every datagram received, in order; assignments joined by '|' (e.g. `READY=1|STATUS=running`). */
  messages: string[];
  close(): Promise<void>;
}

/** A real AF_UNIX datagram socket standing in for systemd's, served by python3 (Debian's, else the one on PATH). */
export async function startNotifySocket(): Promise<NotifySocket> {
  const path = join(mkdtempSync(join(tmpdir(), 'botctl-notify-')), 'notify.sock');
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const child: ResultPromise = execa(python, [join(packageRoot, 'test', 'fixtures', 'notify-socket.py'), path], { reject: false, buffer: false });
  const messages: string[] = [];
  let listening = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line === 'listening') listening = true;
      else messages.push(line);
    }
  });
  await until(() => listening, 10_000, 'the notify socket to listen');
  return {
    path,
    messages,
    async close() {
      child.kill('SIGKILL');
      await child;
    },
  };
}
