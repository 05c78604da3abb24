import { formatTime } from '../format-age.js';
import type { WatchState } from './engine.js';
import type { Facts } from './facts.js';
import type { Evaluation } from './rules.js';

export interface RuleReport {
  rule: string;
  title: string;
  /** `firing`: the condition holds now; `unknown`: this vantage point cannot tell (e.g. remote, or not configured). */
  status: 'firing' | 'ok' | 'unknown';
  findings: { subject: string | null; summary: string; fix: string }[];
}

export interface WatchReport {
  at: string;
  target: string;
  firing: number;
  rules: RuleReport[];
  blind: Facts['blind'];
  worker: { url: string; healthz: number | null; readyz: number | null } | null;
  /** With --notify: the alerts the persisted state holds as firing (after `for`, flapping and clear-for). */
  alerts?: { key: string; since: number | null; told: string | null }[];
}

/** What `watch --once` prints: every rule's verdict on this snapshot. */
export function buildReport(facts: Facts, evaluations: readonly Evaluation[], state?: WatchState): WatchReport {
  const rules: RuleReport[] = evaluations.map(({ rule, findings }) => ({
    rule: rule.id,
    title: rule.title,
    status: findings === null ? 'unknown' : findings.length > 0 ? 'firing' : 'ok',
    findings: (findings ?? []).map(({ subject, summary, fix }) => ({ subject, summary, fix })),
  }));
  const w = facts.worker;
  return {
    at: new Date(facts.at).toISOString(),
    target: facts.target,
    firing: rules.filter((r) => r.status === 'firing').length,
    rules,
    blind: facts.blind,
    worker: w ? { url: w.baseUrl, healthz: w.healthz.status, readyz: w.readyz?.status ?? null } : null,
    ...(state ? { alerts: Object.values(state.alerts).filter((a) => a.firing).map((a) => ({ key: a.key, since: a.firedAt, told: a.told })) } : {}),
  };
}

export function reportLines(report: WatchReport): string[] {
  const lines = [`botctl watch: ${report.target} at ${formatTime(Date.parse(report.at))}: ${report.firing === 0 ? 'all clear' : `${report.firing} rule${report.firing === 1 ? '' : 's'} firing`}`];
  for (const r of report.rules) {
    if (r.status === 'ok') lines.push(`  ✓ ${r.title}`);
    else if (r.status === 'unknown') lines.push(`  ? ${r.title}: not known from here`);
    else {
      for (const f of r.findings.slice(0, 20)) lines.push(`  ✗ ${r.title}: ${f.summary}`, `      fix: ${f.fix}`);
      if (r.findings.length > 20) lines.push(`  ✗ … and ${r.findings.length - 20} more (--json lists all)`);
    }
  }
  return lines;
}
