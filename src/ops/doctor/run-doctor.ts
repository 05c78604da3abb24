import type { CheckResult, DoctorContext } from './check.js';
import { databaseChecks } from './database-checks.js';
import { integrationChecks } from './integration-checks.js';
import { litestreamChecks } from './litestream-checks.js';
import { llmChecks } from './llm-checks.js';
import { configCheck, dataDirCheck, diskCheck, nodeVersionCheck } from './system-checks.js';
import { telegramChecks } from './telegram-checks.js';
import { webhookCheck, whatsappTokenChecks } from './whatsapp-checks.js';
import { channelChecks } from './channel-checks.js';

export interface DoctorReport {
  ok: boolean;
  counts: Record<CheckResult['status'], number>;
  checks: CheckResult[];
}

/**
 * Runs every check, local ones first; the remote groups (replica, LLM, Telegram, WhatsApp, webhook) run at once,
 * each bounded by the context's timeout and concurrency. Never throws for a failed check: a failure is a result.
 */
export async function runDoctor(ctx: DoctorContext, dbOpenError: string | null): Promise<DoctorReport> {
  const checks: CheckResult[] = [nodeVersionCheck(), ...configCheck(ctx), ...dataDirCheck(ctx), await diskCheck(ctx), ...databaseChecks(ctx, dbOpenError)];
  const remote = await Promise.all([litestreamChecks(ctx), webhookCheck(ctx), llmChecks(ctx), telegramChecks(ctx), whatsappTokenChecks(ctx).then((r) => [r]), channelChecks(ctx), integrationChecks(ctx)]);
  checks.push(...remote.flat());
  const counts = { ok: 0, fail: 0, warn: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, counts, checks };
}

const MARK = { ok: '✓', fail: '✗', warn: '!', skip: '-' } as const;
const ITEMS_SHOWN = 20;

/** Text output: one line per check, its fix under every ✗ and !, and the failing tenants of per-tenant checks. */
export function doctorLines(report: DoctorReport): string[] {
  const lines: string[] = [];
  let group = '';
  for (const c of report.checks) {
    if (c.group !== group) {
      group = c.group;
      lines.push(`${lines.length > 0 ? '\n' : ''}${group}`);
    }
    lines.push(`  ${MARK[c.status]} ${c.name}: ${c.detail}`);
    const items = c.items ?? [];
    for (const i of items.slice(0, ITEMS_SHOWN)) lines.push(`      ${MARK[i.status]} ${i.subject}: ${i.detail}${i.fix ? ` — fix: ${i.fix}` : ''}`);
    if (items.length > ITEMS_SHOWN) lines.push(`      … and ${items.length - ITEMS_SHOWN} more (botctl doctor --json lists all)`);
    if (c.fix && (c.status === 'fail' || c.status === 'warn') && items.length === 0) lines.push(`      fix: ${c.fix}`);
  }
  const { ok, fail, warn, skip } = report.counts;
  lines.push('', report.ok ? `All checks passed (${ok} ok, ${warn} warnings, ${skip} skipped).` : `${fail} check${fail === 1 ? '' : 's'} failed (${ok} ok, ${warn} warnings, ${skip} skipped): fix the ✗ lines above, then run botctl doctor again.`);
  return lines;
}
