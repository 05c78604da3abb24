import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../../../src/errors.js';
import { litestreamEnv, localReplicaDir, renderLitestreamConfig } from '../../../../src/ops/backup/litestream-config.js';
import { litestreamError, parseGoDuration, parseTable } from '../../../../src/ops/backup/litestream-cli.js';

describe('templates/litestream.yml rendered for a cell', () => {
  test('a local replica becomes a file replica; the sync interval gives the 1 s loss window', () => {
    const config = parse(renderLitestreamConfig({ dbPath: '/var/lib/botctl/botctl.db', replicaUrl: '/var/backups/botctl', metricsAddr: '127.0.0.1:9190' }));
    expect(config).toEqual({
      addr: '127.0.0.1:9190',
      dbs: [{ path: '/var/lib/botctl/botctl.db', replicas: [{ path: '/var/backups/botctl', 'sync-interval': '1s', 'snapshot-interval': '24h', retention: '72h' }] }],
    });
  });

  test('an s3 URL is passed as url; no metrics gives an empty addr; odd characters cannot break the YAML', () => {
    const config = parse(renderLitestreamConfig({ dbPath: '/data/we "ird": $HOME #x/botctl.db', replicaUrl: 's3://bucket/cell-1?endpoint=http://minio:9000', metricsAddr: null }));
    expect(config.addr).toBe('');
    expect(config.dbs[0].path).toBe('/data/we "ird": $HOME #x/botctl.db');
    expect(config.dbs[0].replicas[0]).toMatchObject({ url: 's3://bucket/cell-1?endpoint=http://minio:9000' });
    expect(parse(renderLitestreamConfig({ dbPath: '/d/botctl.db', replicaUrl: 'file:///mnt/backup', metricsAddr: null })).dbs[0].replicas[0].path).toBe('/mnt/backup');
  });

  test('a replica that is the database or holds it is refused', () => {
    expect(() => renderLitestreamConfig({ dbPath: '/var/lib/botctl/botctl.db', replicaUrl: '/var/lib/botctl', metricsAddr: null })).toThrow(UserError);
    expect(() => renderLitestreamConfig({ dbPath: '/var/lib/botctl/botctl.db', replicaUrl: '/var/lib/botctl/botctl.db', metricsAddr: null })).toThrow(/is the database itself or a folder holding it/);
    expect(localReplicaDir('s3://b/p')).toBeNull();
  });

  test('a placeholder the code does not know is a bug, said so', () => {
    expect(() => renderLitestreamConfig({ dbPath: '/d', replicaUrl: '/r', metricsAddr: null }, 'x: {{nope}}')).toThrow('{{nope}}');
  });

  test("Litestream's environment: credentials from the env file, the environment winning, no systemd notify variables", () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'botctl-ls-env-')), 'botctl.env');
    writeFileSync(envFile, 'BOTCTL_SECRET_KEY=x\nAWS_ACCESS_KEY_ID=from-file\nAWS_SECRET_ACCESS_KEY=file-secret\nLITESTREAM_ACCESS_KEY_ID=ls\n');
    const env = litestreamEnv({ envFile }, { PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'from-env', NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '30000000' });
    expect(env).toEqual({ PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'from-env', AWS_SECRET_ACCESS_KEY: 'file-secret', LITESTREAM_ACCESS_KEY_ID: 'ls' });
  });
});

describe("reading Litestream's output", () => {
  test('tables by header', () => {
    const out = 'name  generation        lag    start                 end\nfile  c527b278b691c265  -16ms  2026-11-24T12:43:15Z  2026-11-24T12:44:15Z\n';
    expect(parseTable(out)).toEqual([{ name: 'file', generation: 'c527b278b691c265', lag: '-16ms', start: '2026-11-24T12:43:15Z', end: '2026-11-24T12:44:15Z' }]);
    expect(parseTable('name  generation  lag  start  end\n')).toEqual([]);
  });

  test('Go durations', () => {
    expect(parseGoDuration('-16ms')).toBe(-16);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('2h3m4.5s')).toBe(7_384_500);
    expect(parseGoDuration('750µs')).toBe(0.75);
    expect(parseGoDuration('0s')).toBe(0);
    expect(parseGoDuration('soon')).toBeNull();
  });

  test('the error of a failed command', () => {
    expect(litestreamError('time=x level=INFO msg=a\ntime=y level=ERROR msg="failed to run" error="no matching backups found"\n')).toBe('no matching backups found');
    expect(litestreamError('flag provided but not defined: -bogus\n')).toBe('flag provided but not defined: -bogus');
    expect(litestreamError('')).toBeNull();
  });
});
