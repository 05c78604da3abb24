import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { databasePath } from '../../storage/open-db.js';
import { formatAge } from '../format-age.js';
import { displayUrl } from '../probes/http-probe.js';
import { findLitestream, litestreamVersion } from '../backup/litestream-binary.js';
import { litestreamGenerations, localReplicaPath, newestReplicaMtime } from '../probes/replication.js';
import { fail, ok, skip, warn, type CheckResult, type DoctorContext } from './check.js';

const G = 'backup';
/** Same limit as `watch --replica-max-age`'s default. */
const MAX_AGE_MS = 15 * 60_000;

/** Litestream binary, its config, the replica reachable and how fresh it is; all skipped without a replica URL. */
export async function litestreamChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const url = ctx.config?.litestreamReplicaUrl;
  if (!ctx.config) return [skip(G, 'Litestream', 'needs a valid configuration')];
  if (!url) return [skip(G, 'Litestream', 'LITESTREAM_REPLICA_URL is not set, so nothing is replicated off this machine (set it to an s3://… URL or a folder to turn backups on)')];
  const results: CheckResult[] = [];
  const binary = findLitestream()?.path ?? null;
  const version = binary ? await litestreamVersion(binary) : null;
  results.push(version ? ok(G, 'Litestream binary', `${version} (${binary})`)
    : fail(G, 'Litestream binary', binary ? `${binary} does not run` : 'not found (neither shipped with botctl nor on PATH)', 'reinstall botctl (sudo ./install.sh), which ships Litestream in its node_modules'));
  results.push(configFileCheck(ctx));
  results.push(await replicaCheck(ctx, url, version ? binary : null));
  return results;
}

function configFileCheck(ctx: DoctorContext): CheckResult {
  const dataDir = ctx.config!.dataDir;
  // botctl run renders templates/litestream.yml into the data folder each time it starts.
  const candidates = ctx.litestreamConfig ? [ctx.litestreamConfig] : [join(dataDir, 'litestream.yml'), '/etc/botctl/litestream.yml'];
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    return ctx.litestreamConfig
      ? fail(G, 'Litestream config', `${ctx.litestreamConfig} does not exist`, 'give the path of the litestream.yml botctl run uses')
      : skip(G, 'Litestream config', `no litestream.yml at ${candidates.join(' or ')}; botctl run replicates to LITESTREAM_REPLICA_URL (pass --litestream-config PATH to check a file)`);
  }
  let doc: { dbs?: { path?: string; replicas?: unknown[] }[] };
  try {
    doc = parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch (err) {
    return fail(G, 'Litestream config', `${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, `fix the YAML in ${path} (litestream.io/reference/config)`);
  }
  const db = databasePath(dataDir);
  // Litestream runs with -no-expand-env (templates/litestream.yml), so the path is compared as written.
  const entry = doc?.dbs?.find((d) => typeof d.path === 'string' && resolve(d.path) === db);
  if (!entry) return fail(G, 'Litestream config', `${path} does not list ${db} under dbs:`, `add "- path: ${db}" with a replica under dbs: in ${path}`);
  if (!Array.isArray(entry.replicas) || entry.replicas.length === 0) return fail(G, 'Litestream config', `${path} lists ${db} without replicas`, `add a replica (url: $LITESTREAM_REPLICA_URL) under that db in ${path}`);
  return ok(G, 'Litestream config', `${path}: ${db} with ${entry.replicas.length} replica(s)`);
}

async function replicaCheck(ctx: DoctorContext, url: string, binary: string | null): Promise<CheckResult> {
  const shown = displayUrl(url);
  const now = ctx.clock();
  let lastSyncAt: number | null;
  try {
    if (binary) lastSyncAt = (await litestreamGenerations(binary, url, ctx.timeoutMs)).lastSyncAt;
    else {
      const local = localReplicaPath(url);
      if (!local) return skip(G, 'replica', `cannot read ${shown} without the Litestream binary`);
      lastSyncAt = existsSync(local) ? await newestReplicaMtime(local) : null;
    }
  } catch (err) {
    return fail(G, 'replica', `${shown} cannot be read: ${(err as Error).message}`, 'check LITESTREAM_REPLICA_URL and the replica\'s credentials (LITESTREAM_ACCESS_KEY_ID / LITESTREAM_SECRET_ACCESS_KEY in the env file) and that this host reaches it');
  }
  if (lastSyncAt === null) return fail(G, 'replica', `${shown} holds no generation yet: nothing has been replicated`, 'start the cell with botctl run (sudo systemctl start botctl), which runs Litestream; journalctl -u botctl | grep -i litestream shows its errors');
  const age = now - lastSyncAt;
  if (age > MAX_AGE_MS) return fail(G, 'replica', `${shown} last received data ${formatAge(age)} ago`, 'journalctl -u botctl | grep -i litestream shows why it stopped; sudo systemctl restart botctl');
  return age < 0 ? warn(G, 'replica', `${shown} has data from the future (${formatAge(-age)}): clocks differ`, 'enable NTP (timedatectl set-ntp true)')
    : ok(G, 'replica', `${shown} reachable, last sync ${formatAge(age)} ago`);
}
