import type { Config } from '../../config/config.js';
import type { UserError } from '../../errors.js';
import type { Db } from '../../storage/open-db.js';

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

/** One subject of a per-tenant check (a tenant's chat, a tenant's token). */
export interface CheckItem {
  subject: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

/** What one doctor check found. Every `fail` carries a `fix`: the command or setting that repairs it. */
export interface CheckResult {
  group: string;
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
  items?: CheckItem[];
}

/** What the checks may use; null parts make the checks that need them `skip` with the reason. */
export interface DoctorContext {
  config: Config | null;
  configError: UserError | null;
  /** The cell's database opened read-only, or null when it cannot be (a storage check then says why). */
  db: Db | null;
  /** Each remote call (LLM, Telegram, Graph, replica) may take this long. */
  timeoutMs: number;
  /** Per-tenant remote checks in flight at once. */
  concurrency: number;
  litestreamConfig: string | null;
  clock: () => number;
}

export const ok = (group: string, name: string, detail: string): CheckResult => ({ group, name, status: 'ok', detail, fix: null });
export const fail = (group: string, name: string, detail: string, fix: string): CheckResult => ({ group, name, status: 'fail', detail, fix });
export const warn = (group: string, name: string, detail: string, fix: string): CheckResult => ({ group, name, status: 'warn', detail, fix });
export const skip = (group: string, name: string, why: string): CheckResult => ({ group, name, status: 'skip', detail: why, fix: null });

/** One result for a per-tenant check: ok when all are, else the failing tenants (all of them, in `items`). */
export function summarize(group: string, name: string, items: CheckItem[], noun: string): CheckResult {
  const failed = items.filter((i) => i.status === 'fail');
  const warned = items.filter((i) => i.status === 'warn');
  const status: CheckStatus = failed.length > 0 ? 'fail' : warned.length > 0 ? 'warn' : 'ok';
  const detail = items.length === 0 ? `no ${noun} to check`
    : failed.length + warned.length === 0 ? `all ${items.length} ${noun} OK`
    : `${failed.length} of ${items.length} ${noun} failed${warned.length > 0 ? `, ${warned.length} with warnings` : ''}`;
  const problems = [...failed, ...warned];
  return { group, name, status, detail, fix: problems[0]?.fix ?? null, items: problems };
}
