import type { Report } from '../analytics/analytics.js';
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
  const body = `<section class="metrics">${cards}</section>
  <section class="charts">
    <figure><figcaption>${esc(t('chart_conversations'))}</figcaption><div class="chart" id="chart-conversations" data-testid="chart-conversations"></div></figure>
    <figure><figcaption>${esc(t('chart_reply'))}</figcaption><div class="chart" id="chart-reply" data-testid="chart-reply"></div></figure>
  </section>
  <p class="links"><a href="${esc(href(ctx, '/export/conversations.csv'))}" data-testid="csv-conversations">${esc(t('download_csv'))}: ${esc(t('nav_conversations'))}</a></p>
  <script type="application/json" id="trend">${data}</script>
  <script src="/dashboard/assets/uplot.js"></script><script src="/dashboard/assets/charts.js"></script>`;
  return layout(ctx, '/', body, { head: '<link rel="stylesheet" href="/dashboard/assets/uplot.css">' });
}
