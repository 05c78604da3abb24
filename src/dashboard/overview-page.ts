import type { Report } from '../analytics/analytics.js';
import type { ChannelNumbers } from '../analytics/by-channel.js';
import type { Spread } from '../analytics/stats.js';
import { esc, href, layout, type PageContext } from './layout.js';
import { duration } from './texts.js';

function metric(name: string, label: string, value: string, note = ''): string {
  return `<div class="metric" data-testid="metric-${name}"><span class="label">${esc(label)}</span><span class="value" data-testid="value-${name}">${esc(value)}</span>${note ? `<span class="note">${note}</span>` : ''}</div>`;
}

function spreadMetric(ctx: PageContext, name: string, label: string, s: Spread): string {
  return metric(name, label, duration(ctx.locale, s.median), s.count === 0 ? '' : `${esc(ctx.t('median'))} · ${esc(ctx.t('p90'))} ${esc(duration(ctx.locale, s.p90))} · n=${s.count}`);
}

const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);

/**
 * The overview split by channel, each channel linking to the overview of it alone. Shown only when there is more than
 * one line: a business on one channel would read its totals twice.
 */
function byChannelTable(ctx: PageContext, lines: readonly ChannelNumbers[]): string {
  if (lines.length < 2) return '';
  const { t } = ctx;
  const cols: [string, string, (l: ChannelNumbers) => string][] = [
    ['conversations', t('m_conversations'), (l) => String(l.conversations)],
    ['customer-messages', t('m_customer_messages'), (l) => String(l.customerMessages)],
    ['bot-only', t('m_bot_only'), (l) => String(l.botOnly)],
    ['handed-over', t('m_handed_over'), (l) => String(l.handedOver)],
    ['bot-first-reply', t('m_bot_first_reply'), (l) => (l.botFirstReply.count === 0 ? duration(ctx.locale, null)
      : `${duration(ctx.locale, l.botFirstReply.median)} · ${t('p90')} ${duration(ctx.locale, l.botFirstReply.p90)}`)],
    ['human-first-reply', t('m_human_first_reply'), (l) => duration(ctx.locale, l.humanFirstReply.median)],
    ['requests', t('m_requests'), (l) => String(l.requests)],
  ];
  const head = `<th>${esc(t('col_channel'))}</th>${cols.map(([, label]) => `<th>${esc(label)}</th>`).join('')}`;
  const rows = lines.map((l) => `<tr data-testid="channel-row" data-channel="${l.channel}">
    <td data-label="${esc(t('col_channel'))}"><a href="${esc(href(ctx, '/', { channel: l.channel }))}">${esc(t(`channel_${l.channel}`))}</a></td>
    ${cols.map(([name, label, value]) => `<td data-label="${esc(label)}" data-testid="channel-${name}">${esc(value(l))}</td>`).join('')}</tr>`).join('');
  return `<section class="by-channel"><h2>${esc(t('by_channel'))}</h2><p class="note">${esc(t('by_channel_note'))}</p>
    <table class="cards" data-testid="by-channel"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** The overview: the owner's questions answered in one look, and the daily trend as two small charts. */
export function overviewPage(ctx: PageContext, report: Report, now: number): string {
  const o = report.overview;
  const { t } = ctx;
  const oldest = o.oldestOpenAt === null ? '' : esc(t('m_oldest_open', { number: o.oldestOpenNumber ?? '?', age: duration(ctx.locale, now - o.oldestOpenAt) }));
  const cards = [
    metric('conversations', t('m_conversations'), String(o.conversations)),
    metric('customer-messages', t('m_customer_messages'), String(o.customerMessages)),
    metric('bot-only', t('m_bot_only'), String(o.botOnly)),
    metric('handed-over', t('m_handed_over'), String(o.handedOver)),
    metric('bot-rate', t('m_bot_rate'), percent(o.botResolutionRate)),
    spreadMetric(ctx, 'bot-first-reply', t('m_bot_first_reply'), o.botFirstReply),
    spreadMetric(ctx, 'human-first-reply', t('m_human_first_reply'), o.humanFirstReply),
    spreadMetric(ctx, 'time-to-take', t('m_time_to_take'), o.timeToTake),
    spreadMetric(ctx, 'time-to-resolve', t('m_time_to_resolve'), o.timeToResolve),
    metric('requests', t('m_requests'), String(o.requests), `${o.neverTaken} ${esc(t('m_never_taken'))}`),
    metric('open-now', t('m_open_now'), String(o.openNow), oldest),
    metric('outside-hours', t('m_outside_hours'), String(o.outsideHours)),
  ].join('');
  const trend = {
    days: o.days.map((d) => d.date),
    botOnly: o.days.map((d) => d.botOnly),
    handedOver: o.days.map((d) => d.handedOver),
    botReply: o.days.map((d) => (d.botFirstReplyMedian === null ? null : Math.round(d.botFirstReplyMedian / 600) / 100)),
    humanReply: o.days.map((d) => (d.humanFirstReplyMedian === null ? null : Math.round(d.humanFirstReplyMedian / 600) / 100)),
    labels: { bot: t('series_bot'), handed: t('series_handed'), human: t('series_human') },
  };
  // `<` escaped so no text in the JSON can close the script element.
  const data = JSON.stringify(trend).replaceAll('<', '\\u003c');
  const body = `${report.channel ? `<h1 data-testid="channel-title">${esc(t('only_channel', { channel: t(`channel_${report.channel}`) }))}</h1>` : ''}
  <section class="metrics">${cards}</section>${byChannelTable(ctx, report.byChannel)}
  <section class="charts">
    <figure><figcaption>${esc(t('chart_conversations'))}</figcaption><div class="chart" id="chart-conversations" data-testid="chart-conversations"></div></figure>
    <figure><figcaption>${esc(t('chart_reply'))}</figcaption><div class="chart" id="chart-reply" data-testid="chart-reply"></div></figure>
  </section>
  <p class="links"><a href="${esc(href(ctx, '/export/conversations.csv'))}" data-testid="csv-conversations">${esc(t('download_csv'))}: ${esc(t('nav_conversations'))}</a></p>
  <script type="application/json" id="trend">${data}</script>
  <script src="/dashboard/assets/uplot.js"></script><script src="/dashboard/assets/charts.js"></script>`;
  return layout(ctx, '/', body, { head: '<link rel="stylesheet" href="/dashboard/assets/uplot.css">' });
}
