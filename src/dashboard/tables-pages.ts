import type { Report } from '../analytics/analytics.js';
import type { KnowledgeGap } from '../analytics/knowledge-gaps.js';
import { esc, href, layout, type PageContext } from './layout.js';
import { duration, localDateTime } from './texts.js';

/** Per manager: taken, resolved, median first response and time to take, reminders needed. */
export function managersPage(ctx: PageContext, report: Report): string {
  const { t } = ctx;
  const rows = report.managers.map((m) => `<tr data-testid="manager-row">
    <td data-label="${esc(t('col_manager'))}"><a href="${esc(href(ctx, '/conversations', { manager: m.name }))}">${esc(m.name)}</a></td>
    <td data-label="${esc(t('col_taken'))}">${m.taken}</td><td data-label="${esc(t('col_resolved'))}">${m.resolved}</td>
    <td data-label="${esc(t('col_first_response'))}">${esc(duration(ctx.locale, m.firstResponse.median))}</td>
    <td data-label="${esc(t('col_time_to_take'))}">${esc(duration(ctx.locale, m.timeToTake.median))}</td>
    <td data-label="${esc(t('col_reminders'))}">${m.reminders}</td></tr>`).join('');
  const table = report.managers.length === 0 ? `<p class="empty">${esc(t('managers_none'))}</p>` : `<table class="cards" data-testid="managers-table"><thead><tr>
    <th>${esc(t('col_manager'))}</th><th>${esc(t('col_taken'))}</th><th>${esc(t('col_resolved'))}</th><th>${esc(t('col_first_response'))}</th>
    <th>${esc(t('col_time_to_take'))}</th><th>${esc(t('col_reminders'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return layout(ctx, '/managers', `<h1>${esc(t('nav_managers'))}</h1>${table}
    <p class="links"><a href="${esc(href(ctx, '/export/managers.csv'))}" data-testid="csv-managers">${esc(t('download_csv'))}</a></p>`);
}

/** Why conversations were handed over, each reason linking to its conversations. */
export function reasonsPage(ctx: PageContext, report: Report): string {
  const { t } = ctx;
  const rows = report.reasons.map((r) => `<tr data-testid="reason-row"><td data-label="${esc(t('col_reason'))}">
    <a href="${esc(href(ctx, '/conversations', { reason: r.reason }))}">${esc(t(`reason_${r.reason}`))}</a></td><td data-label="${esc(t('col_count'))}">${r.count}</td></tr>`).join('');
  const table = report.reasons.length === 0 ? `<p class="empty">${esc(t('reasons_none'))}</p>` : `<table class="cards" data-testid="reasons-table"><thead><tr>
    <th>${esc(t('col_reason'))}</th><th>${esc(t('col_count'))}</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="note">${esc(t('reasons_outside', { count: report.overview.outsideHours }))}</p>`;
  return layout(ctx, '/reasons', `<h1>${esc(t('nav_reasons'))}</h1>${table}`);
}

/** Knowledge gaps: grouped questions, counted, newest first, each linking to its last conversation. */
export function gapsPage(ctx: PageContext, gaps: KnowledgeGap[]): string {
  const { t } = ctx;
  const rows = gaps.map((g) => `<tr data-testid="gap-row"><td data-label="${esc(t('col_question'))}">
    <a href="${esc(href(ctx, `/conversations/${g.requests[0]!.contactId}`))}">${esc(g.question)}</a></td>
    <td data-label="${esc(t('col_times'))}" data-testid="gap-count">${g.count}</td>
    <td data-label="${esc(t('col_last'))}">${esc(localDateTime(g.lastAskedAt, ctx.range.timezone))}</td>
    <td data-label="${esc(t('col_also'))}">${g.examples.map((e) => esc(e)).join('<br>')}</td></tr>`).join('');
  const table = gaps.length === 0 ? `<p class="empty">${esc(t('gaps_none'))}</p>` : `<table class="cards" data-testid="gaps-table"><thead><tr>
    <th>${esc(t('col_question'))}</th><th>${esc(t('col_times'))}</th><th>${esc(t('col_last'))}</th><th>${esc(t('col_also'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return layout(ctx, '/gaps', `<h1>${esc(t('nav_gaps'))}</h1><p>${esc(t('gaps_intro'))}</p>${table}`);
}
