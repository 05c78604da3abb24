import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSdNotifier, watchdogInterval } from '../../../src/supervisor/sd-notify.js';
import { startNotifySocket, type NotifySocket } from '../../helpers/notify-socket.js';
import { until } from '../../helpers/until.js';

let socket: NotifySocket;
beforeAll(async () => {
  socket = await startNotifySocket();
});
afterAll(async () => socket?.close());

describe('sd_notify through systemd-notify', () => {
  test('without NOTIFY_SOCKET nothing is sent and no program is started', async () => {
    // A sender that would leave a mark if it ever ran.
    const dir = mkdtempSync(join(tmpdir(), 'botctl-sdnotify-'));
    const marker = join(dir, 'ran');
    const sender = join(dir, 'fake-systemd-notify');
    writeFileSync(sender, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(sender, 0o755);
    const errors: string[] = [];
    const notifier = createSdNotifier({ env: { PATH: process.env.PATH, WATCHDOG_USEC: '1000000' }, command: sender, onError: (m) => errors.push(m) });
    expect(notifier.enabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeNull();
    await notifier.ready('running');
    await notifier.watchdog();
    await notifier.status('x');
    await notifier.stopping('draining');
    expect(existsSync(marker)).toBe(false);
    expect(errors).toEqual([]);
  });

  test('READY, STATUS, WATCHDOG and STOPPING reach the socket as systemd reads them', async () => {
    const notifier = createSdNotifier({ env: { PATH: process.env.PATH, NOTIFY_SOCKET: socket.path } });
    expect(notifier.enabled).toBe(true);
    await notifier.ready('running: worker pid 1');
    await notifier.watchdog();
    await notifier.status('restarting worker');
    await notifier.stopping('draining (SIGTERM)');
    await until(() => socket.messages.filter((m) => m !== 'BARRIER=1').length >= 4, 5000, 'four messages');
    // systemd-notify follows each message with BARRIER=1 and waits until it is read.
    expect(socket.messages.filter((m) => m !== 'BARRIER=1')).toEqual([
      'READY=1|STATUS=running: worker pid 1',
      'WATCHDOG=1',
      'STATUS=restarting worker',
      'STOPPING=1|STATUS=draining (SIGTERM)',
    ]);
  });

  test('a socket nobody listens on is reported, not thrown', async () => {
    const errors: { message: string; error: string }[] = [];
    const notifier = createSdNotifier({ env: { PATH: process.env.PATH, NOTIFY_SOCKET: '/nonexistent/notify.sock' }, onError: (message, error) => errors.push({ message, error }) });
    await expect(notifier.watchdog()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'WATCHDOG=1', error: expect.stringContaining('No such file or directory') });
  });

  test('the watchdog interval is half of WATCHDOG_USEC, and only for our pid', () => {
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42)).toBeNull();
    expect(watchdogInterval({}, 42)).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: 'soon' }, 42)).toBeNull();
    expect(createSdNotifier({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2000000' }, pid: 7 }).watchdogIntervalMs).toBe(1000);
  });
});
