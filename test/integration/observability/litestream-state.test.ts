import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LitestreamProbe, metricsUrl } from '../../../src/observability/litestream-state.js';
import { packageRoot } from '../../../src/paths.js';
import { databasePath } from '../../../src/storage/open-db.js';
import { migratedDb } from '../../helpers/migrated-db.js';
import { freePort } from '../../helpers/ports.js';
import { until } from '../../helpers/until.js';

// The Litestream binary botctl ships with (npm @flydotio/litestream), run for real.
const LITESTREAM = join(packageRoot, 'node_modules', '@flydotio', `litestream-${process.platform}-${process.arch}`, 'litestream');
const children: ResultPromise[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function cellWithConfig(options: { addr: boolean }) {
  const { db, dataDir } = migratedDb();
  db.prepare("INSERT INTO cell_meta (key, value) VALUES ('probe', x'00')").run();
  db.close();
  const port = await freePort();
  const config = join(dataDir, 'litestream.yml');
  writeFileSync(config, `${options.addr ? `addr: "127.0.0.1:${port}"\n` : ''}dbs:\n  - path: ${databasePath(dataDir)}\n    replicas:\n      - path: ${join(dataDir, 'replica')}\n`);
  return { dataDir, config, port };
}

describe('Litestream sync state', () => {
  test('disabled without a replica URL; unknown without a config or without addr; unreachable when it does not run', async () => {
    const { dataDir, config } = await cellWithConfig({ addr: true });
    expect(await new LitestreamProbe({ replicaUrl: null, configPaths: [config] }).check()).toEqual({ state: 'disabled', detail: 'LITESTREAM_REPLICA_URL is not set' });
    const missing = join(dataDir, 'none.yml');
    expect(await new LitestreamProbe({ replicaUrl: 's3://b/p', configPaths: [missing] }).check()).toEqual({ state: 'unknown', detail: `no Litestream config at ${missing}` });
    const bare = await cellWithConfig({ addr: false });
    expect(await new LitestreamProbe({ replicaUrl: 's3://b/p', configPaths: [bare.config] }).check()).toMatchObject({ state: 'unknown', detail: expect.stringContaining('has no addr') });
    const down = await new LitestreamProbe({ replicaUrl: 's3://b/p', configPaths: [config], timeoutMs: 500 }).check();
    expect(down).toMatchObject({ state: 'unreachable', detail: expect.stringContaining('is litestream replicate running?') });
  });

  test('ok while the real Litestream replicates our database; failing when it replicates another one', async () => {
    const { dataDir, config } = await cellWithConfig({ addr: true });
    const child = execa(LITESTREAM, ['replicate', '-config', config], { reject: false });
    children.push(child);
    const probe = new LitestreamProbe({ replicaUrl: join(dataDir, 'replica'), configPaths: [config], dbPath: databasePath(dataDir) });
    const report = await until(async () => {
      const r = await probe.check();
      return r.state === 'ok' && (r.syncs ?? 0) > 0 ? r : null;
    }, 15_000, 'Litestream to sync');
    expect(report).toMatchObject({ state: 'ok', syncErrors: 0, detail: expect.stringMatching(/^\d+ syncs, 0 errors since Litestream started$/) });
    const other = new LitestreamProbe({ replicaUrl: join(dataDir, 'replica'), configPaths: [config], dbPath: '/var/lib/botctl/botctl.db' });
    expect(await other.check()).toEqual({ state: 'failing', detail: 'Litestream does not replicate /var/lib/botctl/botctl.db' });
  }, 30_000);

  test('addr forms: every interface means loopback for us', () => {
    expect(metricsUrl('addr: ":9090"')).toBe('http://127.0.0.1:9090/metrics');
    expect(metricsUrl('addr: "0.0.0.0:9090"')).toBe('http://127.0.0.1:9090/metrics');
    expect(metricsUrl('addr: "[::]:9090"')).toBe('http://127.0.0.1:9090/metrics');
    expect(metricsUrl('addr: "10.0.0.5:9091"')).toBe('http://10.0.0.5:9091/metrics');
    expect(metricsUrl('dbs: []')).toBeNull();
  });
});
