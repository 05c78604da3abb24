import type { Channel } from '../analytics/channels.js';
import type { ConversationFilter, ConversationRow } from '../analytics/conversation-search.js';
import { REASONS, reasonOf } from '../analytics/reasons.js';
import type { TimelineEvent, TranscriptMessage } from '../storage/dashboard-store.js';
import { esc, href, keptFields, layout, type PageContext } from './layout.js';
import { duration, localDateTime } from './texts.js';

export const LIST_LIMIT = 200;

function select(ctx: PageContext, name: string, label: string, value: string | undefined, options: [string, string][]): string {
  const opts = [['', ctx.t('all')] as [string, string], ...options].map(([v, l]) => `<option value="${esc(v)}"${v === (value ?? '') ? ' selected' : ''}>${esc(l)}</option>`).join('');
  return `<label>${esc(label)} <select name="${name}" data-testid="filter-${name}">${opts}</select></label>`;
}

/** A customer's address as people read it: +phone on WhatsApp; the channel's user id elsewhere, as it is. */
export function address(channel: Channel | null, phone: string): string {
  return channel === 'whatsapp' || channel === null ? `+${phone}` : phone;
}

function channelName(ctx: PageContext, channel: Channel | null): string {
  return channel === null ? ctx.t('none') : ctx.t(`channel_${channel}`);
}

/** The searchable list: start, customer, channel, messages, outcome, managers, requests. */
export function conversationsPage(ctx: PageContext, rows: ConversationRow[], filter: ConversationFilter, managers: string[]): string {
  const { t } = ctx;
  const hidden = keptFields(ctx);
  const form = `<form method="get" action="/dashboard/conversations" class="filters">${hidden}
    <input type="search" name="q" value="${esc(filter.q)}" placeholder="${esc(t('search'))}" aria-label="${esc(t('search'))}" data-testid="search">
    ${select(ctx, 'outcome', t('filter_outcome'), filter.outcome, (['bot', 'handed_over', 'open'] as const).map((o) => [o, t(`outcome_${o}`)]))}
    ${select(ctx, 'manager', t('filter_manager'), filter.manager, managers.map((m) => [m, m]))}
    ${select(ctx, 'reason', t('filter_reason'), filter.reason, REASONS.map((r) => [r, t(`reason_${r}`)]))}
    <button type="submit" data-testid="search-submit">${esc(t('apply'))}</button></form>`;
  const shown = rows.slice(0, LIST_LIMIT);
  const list = shown.map((r) => `<tr data-testid="conversation-row" data-contact="${r.contactId}">
    <td data-label="${esc(t('col_started'))}">${esc(localDateTime(r.startedAt, ctx.range.timezone))}</td>
    <td data-label="${esc(t('col_customer'))}"><a href="${esc(href(ctx, `/conversations/${r.contactId}`, { since: r.startedAt }))}">${esc(r.customerName ?? address(r.channel, r.customerPhone))}</a>
      <small>${esc(address(r.channel, r.customerPhone))}</small></td>
    <td data-label="${esc(t('col_channel'))}" data-testid="conversation-channel" data-channel="${r.channel ?? ''}">${esc(channelName(ctx, r.channel))}</td>
    <td data-label="${esc(t('col_messages'))}">${r.customerMessages}</td>
    <td data-label="${esc(t('col_outcome'))}"><span class="outcome ${r.outcome}">${esc(t(`outcome_${r.outcome}`))}</span></td>
    <td data-label="${esc(t('col_manager'))}">${esc(r.managers.join(', ') || '—')}</td>
    <td data-label="${esc(t('col_requests'))}">${r.requests.map((n) => `#${n}`).join(' ') || '—'}</td></tr>`).join('');
  const table = rows.length === 0 ? `<p class="empty">${esc(t('conversations_none'))}</p>` : `<table class="cards" data-testid="conversations-table"><thead><tr>
    <th>${esc(t('col_started'))}</th><th>${esc(t('col_customer'))}</th><th>${esc(t('col_channel'))}</th><th>${esc(t('col_messages'))}</th><th>${esc(t('col_outcome'))}</th>
    <th>${esc(t('col_manager'))}</th><th>${esc(t('col_requests'))}</th></tr></thead><tbody>${list}</tbody></table>
    ${rows.length > shown.length ? `<p class="note">${esc(t('conversations_more', { shown: shown.length, total: rows.length }))}</p>` : ''}`;
  const csv = href(ctx, '/export/conversations.csv', { q: filter.q, outcome: filter.outcome, manager: filter.manager, reason: filter.reason });
  return layout(ctx, '/conversations', `<h1>${esc(t('nav_conversations'))}</h1>${form}${table}
    <p class="links"><a href="${esc(csv)}" data-testid="csv-conversations">${esc(t('download_csv'))}</a></p>`);
}

function describe(ctx: PageContext, m: TranscriptMessage): string {
  if (m.type === 'text') return esc(m.body);
  const kinds = ['image', 'audio', 'video', 'document', 'sticker', 'location'];
  const label = kinds.includes(m.type) ? ctx.t(`media_${m.type}`) : ctx.t('media_other', { type: m.type });
  return `<span class="media" data-testid="media">📎 ${esc(label)}${m.mimeType ? ` (${esc(m.mimeType)})` : ''}</span>${m.body ? `<br>${esc(m.body)}` : ''}`;
}

/** One conversation: the transcript (who wrote, media described, delivery states) and its requests' timelines. */
export function conversationView(ctx: PageContext, contact: { id: number; name: string | null; phone: string; channel: Channel | null }, messages: TranscriptMessage[], events: TimelineEvent[]): string {
  const { t } = ctx;
  const bubbles = messages.map((m) => `<li class="msg ${m.author}" data-testid="transcript-message" data-author="${m.author}" data-status="${esc(m.deliveryStatus)}">
    <div class="meta"><b>${esc(m.author === 'manager' && m.authorName ? `${t('who_manager')} · ${m.authorName}` : t(`who_${m.author}`))}</b>
      <time>${esc(localDateTime(m.at, ctx.range.timezone))}</time>
      ${m.author === 'customer' ? '' : `<span class="status ${esc(m.deliveryStatus)}" data-testid="delivery">${esc(t(`status_${m.deliveryStatus}`))}${m.deliveryError ? `: ${esc(m.deliveryError)}` : ''}</span>`}</div>
    <div class="text">${describe(ctx, m)}</div></li>`).join('');
  const byRequest = new Map<number, TimelineEvent[]>();
  for (const e of events) byRequest.set(e.handoverId, [...(byRequest.get(e.handoverId) ?? []), e]);
  const timelines = [...byRequest.values()].map((list) => {
    const first = list[0]!;
    const opened = list.find((e) => e.event === 'created')?.at ?? first.at;
    const items = list.map((e) => `<li data-testid="timeline-event" data-event="${e.event}"><time>${esc(localDateTime(e.at, ctx.range.timezone))}</time>
      ${esc(t(`event_${e.event}`, { name: e.actorName ?? '—' }))}${e.event === 'created' ? '' : ` <small>+${esc(duration(ctx.locale, e.at - opened))}</small>`}</li>`).join('');
    return `<section class="timeline" data-testid="timeline"><h3>${esc(t('request_title', { number: first.number, reason: t(`reason_${reasonOf(first.cause)}`) }))}</h3>
      <p class="note">${esc(first.reason)}</p><ol>${items}</ol></section>`;
  }).join('');
  return layout(ctx, '/conversations', `<p><a href="${esc(href(ctx, '/conversations'))}">${esc(t('back'))}</a></p>
    <h1 data-testid="conversation-title">${esc(contact.name ?? address(contact.channel, contact.phone))} <small>${esc(address(contact.channel, contact.phone))}</small></h1>
    <p class="note">${esc(t('col_channel'))}: <span data-testid="conversation-channel" data-channel="${contact.channel ?? ''}">${esc(channelName(ctx, contact.channel))}</span></p>
    ${timelines ? `<h2>${esc(t('timeline'))}</h2>${timelines}` : ''}
    <h2>${esc(t('transcript'))}</h2><ol class="transcript" data-testid="transcript">${bubbles}</ol>`, { withPeriod: false });
}
