import { formatAge, formatTime } from '../format-age.js';
import type { Notification } from './engine.js';

/** Telegram refuses texts over 4096 characters; the notifier escapes `&<>` (which grows the text) and cuts at 3800. */
const MAX_TEXT = 3400;
const PER_RULE = 5;

/**
 * One Telegram message (plain text; the notifier escapes it) for everything decided in one tick: firing first, then reminders, then resolved;
 * within each, one section per rule listing its subjects, with the fix. Long lists are cut with a count, so
 * 10,000 tenants losing their chat at once is still one readable message.
 */
export function renderAlertMessage(notifications: readonly Notification[], context: { cell: string; now: number }): string {
  const count = (kind: Notification['kind']) => notifications.filter((n) => n.kind === kind).length;
  const parts = [['firing', count('firing')], ['still firing', count('repeat')], ['resolved', count('resolved')]]
    .filter(([, n]) => n !== 0).map(([what, n]) => `${n} ${what}`);
  const icon = count('firing') + count('repeat') > 0 ? '🔴' : '✅';
  const header = `${icon} botctl ${context.cell}: ${parts.join(', ')}`;

  const sections: string[] = [];
  for (const kind of ['firing', 'repeat', 'resolved'] as const) {
    const byRule = new Map<string, Notification[]>();
    for (const n of notifications.filter((x) => x.kind === kind)) byRule.set(n.rule, [...(byRule.get(n.rule) ?? []), n]);
    for (const group of byRule.values()) sections.push(section(kind, group, context.now));
  }

  let text = header;
  let shown = 0;
  for (const s of sections) {
    if (text.length + s.length + 2 > MAX_TEXT) break;
    text += `\n\n${s}`;
    shown++;
  }
  if (shown < sections.length) text += `\n\n… ${sections.length - shown} more sections: run botctl watch --once on the cell for the full list`;
  return text;
}

function section(kind: Notification['kind'], group: Notification[], now: number): string {
  const first = group[0]!;
  const subjects = group.length > 1 ? ` (${group.length})` : '';
  if (kind === 'resolved') {
    const lines = group.slice(0, PER_RULE).map((n) => `• ${n.subject ? `${n.subject}: ` : ''}cleared${n.sinceAt !== null ? ` ${formatAge(now - n.sinceAt)} after the first alert` : ''}`);
    return [`✅ ${first.title}${subjects}: resolved`, ...lines, ...more(group)].join('\n');
  }
  const icon = kind === 'repeat' ? '🔁' : '🔴';
  const note = kind === 'repeat' && first.sinceAt !== null ? ` — still firing since ${formatTime(first.sinceAt)} (${formatAge(now - first.sinceAt)})`
    : first.reopened ? ' — back again soon after it resolved (flapping)'
    : first.flapping ? ' — keeps coming back (flapping)' : '';
  const lines = group.slice(0, PER_RULE).map((n) => `• ${n.summary}`);
  const fixes = [...new Set(group.map((n) => n.fix))];
  const fix = fixes.length === 1 ? fixes[0]! : `${fixes[0]!} (likewise for the others)`;
  return [`${icon} ${first.title}${subjects}${note}`, ...lines, ...more(group), `What to do: ${fix}`].join('\n');
}

function more(group: Notification[]): string[] {
  return group.length > PER_RULE ? [`• … and ${group.length - PER_RULE} more`] : [];
}
