import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configWarnings } from '../../config/check.js';
import { diskUsage, formatBytes } from '../probes/disk.js';
import { fail, ok, skip, warn, type CheckResult, type DoctorContext } from './check.js';

const G = 'system';
const MIN_FREE_BYTES = 1024 ** 3;

export function nodeVersionCheck(version = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  return major >= 22 ? ok(G, 'Node.js', `v${version} (22 or newer needed)`)
    : fail(G, 'Node.js', `v${version} is older than 22`, 'reinstall with sudo ./install.sh, which installs the Node runtime botctl needs into /opt/botctl');
}

export function configCheck(ctx: DoctorContext): CheckResult[] {
  if (ctx.configError || !ctx.config) {
    return [fail(G, 'configuration', ctx.configError?.message ?? 'not loaded', ctx.configError?.hint ?? 'botctl config check says what is wrong')];
  }
  const where = ctx.config.envFile ? `env file ${ctx.config.envFile}` : 'environment only (no env file)';
  const results = [ok(G, 'configuration', `valid (${where})`)];
  // The LLM, Telegram, on-call and Litestream settings get checks of their own below; the rest are noted here.
  const coveredBelow = /^(OPENAI_API_KEY|TELEGRAM_BOT_TOKEN|BOTCTL_ONCALL_CHAT_ID|LITESTREAM_REPLICA_URL) /;
  const file = ctx.config.envFile ?? 'the env file';
  for (const w of configWarnings(ctx.config).filter((x) => !coveredBelow.test(x))) results.push(warn(G, 'configuration', w, `set it in ${file} (botctl config show lists every setting)`));
  return results;
}

/** 0700 and owned by the user botctl runs as: the database holds customer conversations and sealed tokens. */
export function dataDirCheck(ctx: DoctorContext, uid = process.getuid?.() ?? -1): CheckResult[] {
  if (!ctx.config) return [skip(G, 'data folder', 'needs a valid configuration')];
  const dir = ctx.config.dataDir;
  let st;
  try {
    st = statSync(dir);
  } catch {
    return [fail(G, 'data folder', `${dir} does not exist`, `run botctl init (or set BOTCTL_DATA_DIR to the folder holding botctl.db)`)];
  }
  const results: CheckResult[] = [];
  const mode = st.mode & 0o777;
  if (!st.isDirectory()) results.push(fail(G, 'data folder', `${dir} is not a folder`, 'set BOTCTL_DATA_DIR to a folder'));
  else if (mode !== 0o700) results.push(fail(G, 'data folder', `${dir} has mode ${mode.toString(8).padStart(4, '0')}, so other users can read customer data`, `chmod 700 ${dir}`));
  if (st.uid !== uid) results.push(fail(G, 'data folder', `${dir} belongs to uid ${st.uid}, but botctl runs as uid ${uid}`, `run botctl as the owner (sudo -u botctl botctl doctor), or: sudo chown -R botctl:botctl ${dir}`));
  // A file made by root (botctl run once with sudo) makes the worker fail to open the database later.
  const foreign = readdirSync(dir).filter((f) => f.startsWith('botctl.db') && statSync(join(dir, f)).uid !== st.uid);
  if (foreign.length > 0) results.push(fail(G, 'data folder', `${foreign.join(', ')} in ${dir} belong to another user than the folder`, `sudo chown botctl:botctl ${foreign.map((f) => join(dir, f)).join(' ')}`));
  return results.length > 0 ? results : [ok(G, 'data folder', `${dir}: mode 0700, owned by uid ${uid}`)];
}

export async function diskCheck(ctx: DoctorContext): Promise<CheckResult> {
  if (!ctx.config) return skip(G, 'free disk', 'needs a valid configuration');
  try {
    const d = await diskUsage(ctx.config.dataDir);
    const text = `${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)} (${Math.round(d.usedRatio * 100)}% used)`;
    if (d.usedRatio > 0.9 || d.freeBytes < MIN_FREE_BYTES) {
      return fail(G, 'free disk', `${text} on ${ctx.config.dataDir}`, `free space (du -sh ${ctx.config.dataDir}/*, journalctl --vacuum-size=200M) or grow the disk: a full disk stops SQLite and webhooks`);
    }
    return ok(G, 'free disk', text);
  } catch (err) {
    return fail(G, 'free disk', `cannot statfs ${ctx.config.dataDir}: ${(err as Error).message}`, 'check the data folder exists and is readable');
  }
}
