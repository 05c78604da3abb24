import type { MessageView, TraceReport } from './trace-report.js';
import type { TimelineStep } from './timeline.js';

/** The report as the operator reads it in a terminal: who and what, then one line per step with its hint below. */
export function formatTrace(report: TraceReport): string[] {
  const lines: string[] = [];
  if (report.recent.length > 0) {
    lines.push(`Latest messages from ${report.recent[0]!.phone}, newest first:`);
    for (const m of report.recent) lines.push(`  #${String(m.id).padEnd(7)} ${m.createdAt}  ${m.tenant.padEnd(16)} ${(m.outcome ?? 'pending').padEnd(9)} ${quote(m.body, 60)}`);
    lines.push('', 'Tracing the latest:');
  }
  const m = report.message;
  lines.push(`message #${m.id} (tenant ${m.tenant}), ${m.direction} ${m.type} ${m.direction === 'inbound' ? 'from' : 'to'} ${m.channel && m.channel !== 'whatsapp' ? `${m.channel} ` : ''}${m.phone}${m.contactName ? ` (${m.contactName})` : ''}`);
  if (m.body) lines.push(`  ${quote(m.body, 160)}`);
  lines.push(`  wamid ${m.wamid ?? '-'}, trace ${m.traceId}, ${m.createdAt}, outcome ${m.outcome ?? 'not handled yet'}`);
  if (report.asked) lines.push(`  (you asked for ${describe(report.asked)}, our reply to it)`);
  if (report.answeredTogetherWith.length) lines.push(`  answered together with message(s) ${report.answeredTogetherWith.map((id) => `#${id}`).join(', ')}, sent just after it`);
  lines.push('');
  const width = Math.max(18, ...report.steps.map((s) => s.step.length + 1));
  let lastHint: string | undefined;
  for (const step of report.steps) {
    lines.push(`  ${offset(step.sinceMs).padStart(9)}  ${step.step.padEnd(width)} ${marker(step).padEnd(7)} ${duration(step).padStart(8)}  ${step.summary}`);
    // Retries repeat the same error: its hint once, then a pointer, keeps the timeline readable.
    if (step.hint) lines.push(`  ${''.padStart(9)}  ${''.padEnd(width)} hint: ${step.hint === lastHint ? '(same as above)' : step.hint}`);
    lastHint = step.hint ?? lastHint;
  }
  if (report.steps.length === 0) lines.push('  no steps recorded for this message (traces of removed tenants go with them)');
  const errors = report.steps.filter((s) => s.outcome === 'error').length;
  lines.push('', `${report.steps.length} steps over ${offset(report.steps.at(-1)?.sinceMs ?? 0)}${errors ? `, ${errors} with errors` : ''}. Worker log lines: botctl logs --trace ${m.traceId}`);
  return lines;
}

function describe(m: MessageView): string {
  return `message #${m.id}${m.wamid ? ` (${m.wamid})` : ''}`;
}

function marker(step: TimelineStep): string {
  return step.outcome === 'ok' ? '' : step.outcome.toUpperCase();
}

function duration(step: TimelineStep): string {
  if (step.durationMs === null) return '';
  return step.durationMs < 10_000 ? `${step.durationMs} ms` : `${(step.durationMs / 1000).toFixed(1)} s`;
}

function offset(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`;
}

function quote(text: string | null, max: number): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ');
  return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
}
