import { execa } from 'execa';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { findLitestream } from '../../../src/ops/backup/litestream-binary.js';
import { botctl, initCell, type TempCell } from '../../helpers/cli.js';

interface Report { rules: { rule: string; status: string; findings: { summary: string }[] }[] }

/** Sets every file and folder under `dir` to `ms` ago, as a replica Litestream stopped writing looks. */
function age(dir: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  const walk = (path: string) => {
    utimesSync(path, when, when);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
}

describe('backups: doctor and watch read a real Litestream replica', () => {
  let cell: TempCell;
  let replica: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cell = await initCell();
    replica = join(cell.dir, 'replica');
    // A real replica: Litestream copies the cell's database for a moment, as `botctl run` would keep doing.
    const run = await execa(findLitestream()!.path, ['replicate', join(cell.dataDir, 'botctl.db'), `file://${replica}`], { reject: false, timeout: 3000 });
    expect(String(run.stderr)).toContain('wal segment written');
    writeFileSync(join(cell.dataDir, 'litestream.yml'), `addr: ""\ndbs:\n  - path: ${join(cell.dataDir, 'botctl.db')}\n    replicas:\n      - url: file://${replica}\n`);
    env = { ...cell.env, LITESTREAM_REPLICA_URL: replica, BOTCTL_HTTP_HOST: '127.0.0.1', BOTCTL_HTTP_PORT: '1' };
  }, 30_000);

  test('a fresh replica: ✓ binary, config, and last sync', async () => {
    const result = await botctl(['doctor'], env);
    expect(result.stdout).toMatch(/✓ Litestream binary: v0\.3\.\d+/);
    expect(result.stdout).toContain(`✓ Litestream config: ${join(cell.dataDir, 'litestream.yml')}: ${join(cell.dataDir, 'botctl.db')} with 1 replica(s)`);
    expect(result.stdout).toMatch(new RegExp(`✓ replica: ${replica} reachable, last sync \\d+s ago`));
    const watch = JSON.parse((await botctl(['watch', '--once', '--json'], env)).stdout) as Report;
    expect(watch.rules.find((r) => r.rule === 'replication_stale')!.status).toBe('ok');
  }, 30_000);

  test('a replica that stopped changing two hours ago: ✗ in doctor, firing in watch, both with what to do', async () => {
    age(replica, 2 * 3_600_000);
    const result = await botctl(['doctor'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`✗ replica: ${replica} last received data 2h ago`);
    expect(result.stdout).toContain('fix: journalctl -u botctl | grep -i litestream shows why it stopped');
    const watch = JSON.parse((await botctl(['watch', '--once', '--json'], env)).stdout) as Report;
    expect(watch.rules.find((r) => r.rule === 'replication_stale')!.findings[0]!.summary).toMatch(new RegExp(`^${replica} last changed 2h ago .*limit 15m\\) \\(replica files\\)$`));
  }, 30_000);

  test('a replica that holds nothing, and a config that forgets the database', async () => {
    writeFileSync(join(cell.dataDir, 'litestream.yml'), 'dbs:\n  - path: /somewhere/else.db\n    replicas:\n      - url: file:///tmp/x\n');
    const result = await botctl(['doctor'], { ...env, LITESTREAM_REPLICA_URL: join(cell.dir, 'empty-replica') });
    expect(result.stdout).toContain(`✗ replica: ${join(cell.dir, 'empty-replica')} holds no generation yet: nothing has been replicated`);
    expect(result.stdout).toContain(`✗ Litestream config: ${join(cell.dataDir, 'litestream.yml')} does not list ${join(cell.dataDir, 'botctl.db')} under dbs:`);
  }, 30_000);
});
