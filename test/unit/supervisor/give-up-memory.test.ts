import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { ensureLocalReplicaWritable } from '../../../src/ops/backup/litestream-config.js';
import { isNews, readGiveUp, REPEAT_ALERT_AFTER_MS, writeGiveUp } from '../../../src/supervisor/give-up-memory.js';

describe('give-up memory (one alert per crash loop, however often systemd restarts the unit)', () => {
  const told = { child: 'worker', failure: 'exited with code 1', alertedAt: 1_000_000, count: 1 };

  test('the same failure within the hour is not news; another child, another failure or an hour later is', () => {
    expect(isNews(null, 'worker', 'exited with code 1', 0)).toBe(true);
    expect(isNews(told, 'worker', 'exited with code 1', told.alertedAt + 35_000)).toBe(false);
    expect(isNews(told, 'litestream', 'exited with code 1', told.alertedAt + 35_000)).toBe(true);
    expect(isNews(told, 'worker', 'was killed by SIGKILL', told.alertedAt + 35_000)).toBe(true);
    expect(isNews(told, 'worker', 'exited with code 1', told.alertedAt + REPEAT_ALERT_AFTER_MS)).toBe(true);
  });

  test('kept in a file; a missing or damaged file means "not told yet"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'botctl-giveup-'));
    const path = join(dir, 'supervisor-give-up.json');
    expect(readGiveUp(path)).toBeNull();
    writeGiveUp(path, told);
    expect(readGiveUp(path)).toEqual(told);
    writeFileSync(path, '{"child": "worker", "fail');
    expect(readGiveUp(path)).toBeNull();
  });
});

describe('a local replica folder', () => {
  test('is created when missing; one that cannot be is a UserError with the systemd fix', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'botctl-replica-')), 'deep', 'replica');
    ensureLocalReplicaWritable(dir);
    ensureLocalReplicaWritable('s3://bucket/cell');
    const file = join(mkdtempSync(join(tmpdir(), 'botctl-replica-')), 'a-file');
    writeFileSync(file, 'x');
    expect(() => ensureLocalReplicaWritable(join(file, 'replica'))).toThrow(UserError);
    const error = (() => {
      try {
        ensureLocalReplicaWritable(`file://${join(file, 'replica')}`);
        return null;
      } catch (err) {
        return err;
      }
    })();
    expect(String(error)).toMatch(/replica \(LITESTREAM_REPLICA_URL\) is not writable \(ENOTDIR\): create it for the botctl user .*ReadWritePaths=/);
  });
});
