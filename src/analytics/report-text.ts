import { duration } from '../dashboard/texts.js';
import type { Report } from './analytics.js';
import type { ChannelNumbers } from './by-channel.js';
import type { Channel } from './channels.js';
import type { KnowledgeGap } from './knowledge-gaps.js';
import type { Spread } from './stats.js';
import type { TimeRange } from './time-range.js';

const d = (ms: number | null) => duration('en', ms);
const spreadText = (s: Spread) => (s.count === 0 ? '—' : `median ${d(s.median)}, p90 ${d(s.p90)} (n=${s.count})`);
const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const CHANNEL_NAMES: Record<Channel, string> = { whatsapp: 'WhatsApp', instagram: 'Instagram', telegram: 'Telegram' };

function channelLine(l: ChannelNumbers): string {
  const bot = l.botFirstReply.count === 0 ? '—' : `median ${d(l.botFirstReply.median)}, p90 ${d(l.botFirstReply.p90)}`;
  return `  ${CHANNEL_NAMES[l.channel].padEnd(12)}conversations ${l.conversations} (bot alone ${l.botOnly}, handed over ${l.handedOver}), customer messages ${l.customerMessages}, `
    + `first reply bot ${bot}, managers median ${d(l.humanFirstReply.median)}, requests ${l.requests}`;
}

/** `botctl report` as text: the overview, its lines per channel, the managers' table and the reasons, in English for the operator. */
export function reportText(report: Report, range: TimeRange, now: number): string[] {
  const o = report.overview;
  const rows: [string, string][] = [
    ['Conversations', `${o.conversations} (bot alone ${o.botOnly}, handed over ${o.handedOver}; bot resolution ${pct(o.botResolutionRate)})`],
    ['Customer messages', String(o.customerMessages)],
    ['First reply, bot', spreadText(o.botFirstReply)],
    ['First reply, managers', spreadText(o.humanFirstReply)],
    ['Time to take', spreadText(o.timeToTake)],
    ['Time to resolve', spreadText(o.timeToResolve)],
    ['Requests', `${o.requests} (never taken ${o.neverTaken}, outside business hours ${o.outsideHours})`],
    ['Open now', o.openNow === 0 ? '0' : `${o.openNow} (oldest #${o.oldestOpenNumber}, waiting ${d(now - (o.oldestOpenAt ?? now))})`],
  ];
  const only = report.channel ? ` · ${CHANNEL_NAMES[report.channel]} only` : '';
  const lines = [`${report.tenant.name} (${report.tenant.slug}) · ${range.dayLabels[0]} … ${range.dayLabels.at(-1)} (${range.timezone})${only}`, ''];
  for (const [k, v] of rows) lines.push(`${k.padEnd(24)}${v}`);
  // A business on one channel would read its totals twice (the dashboard leaves the table out the same way).
  if (report.byChannel.length > 1) lines.push('', 'By channel', ...report.byChannel.map(channelLine));
  lines.push('', 'Managers');
  if (report.managers.length === 0) lines.push('  none took a request');
  for (const m of report.managers) {
    lines.push(`  ${m.name.padEnd(20)} taken ${m.taken}, resolved ${m.resolved}, first response ${d(m.firstResponse.median)}, take ${d(m.timeToTake.median)}, reminders ${m.reminders}`);
  }
  lines.push('', 'Reasons for handing over');
  if (report.reasons.length === 0) lines.push('  none');
  for (const r of report.reasons) lines.push(`  ${r.reason.padEnd(20)} ${r.count}`);
  return lines;
}

/** `botctl report --csv`: one row per local day and a total row, durations in seconds. */
export function reportCsv(report: Report): string {
  const s = (ms: number | null) => (ms === null ? '' : String(Math.round(ms / 1000)));
  const o = report.overview;
  const head = 'date,conversations,customer_messages,bot_only,handed_over,bot_first_reply_median_s,human_first_reply_median_s';
  const days = o.days.map((x) => [x.date, x.conversations, x.customerMessages, x.botOnly, x.handedOver, s(x.botFirstReplyMedian), s(x.humanFirstReplyMedian)].join(','));
  const total = ['total', o.conversations, o.customerMessages, o.botOnly, o.handedOver, s(o.botFirstReply.median), s(o.humanFirstReply.median)].join(',');
  return [head, ...days, total].join('\n');
}

export function gapsText(gaps: readonly KnowledgeGap[], timezone: string): string[] {
  const at = (t: number) => new Date(t).toLocaleString('sv-SE', { timeZone: timezone }).slice(0, 16);
  return gaps.flatMap((g) => [`${String(g.count).padStart(4)}×  ${g.question}   (last ${at(g.lastAskedAt)}, requests ${g.requests.map((r) => `#${r.number}`).join(' ')})`,
    ...g.examples.map((e) => `        also: ${e}`)]);
}
