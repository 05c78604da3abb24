import type { Channel } from '../analytics/channels.js';
import type { TimeRange } from '../analytics/time-range.js';
import type { AnalyticsTenant } from '../storage/analytics-store.js';
import type { DashboardSession } from '../storage/dashboard-auth-store.js';
import { LOCALES, type Locale } from '../tenants/settings.js';
import { dashText } from './texts.js';

/** Escapes text for HTML content and attribute values. */
export function esc(text: string | number | null | undefined): string {
  return String(text ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** Everything a page needs: who is looking, in which language, at which business and which days. */
export interface PageContext {
  locale: Locale;
  tenant: AnalyticsTenant;
  session: DashboardSession;
  range: TimeRange;
  /** The period as asked (`period=7d`, or `from`/`to`), kept on every link so switching pages keeps the days. */
  period: { period?: string; from?: string; to?: string };
  /** The channel the numbers are limited to (`channel=instagram`), kept on every link like the period; null for all. */
  channel: Channel | null;
  /** The channels the business has an account on, in the order the numbers show them. */
  channels: Channel[];
  t: (key: string, vars?: Record<string, string | number>) => string;
}

/** What every link keeps: the period and the channel. */
function kept(ctx: PageContext): Record<string, string | undefined> {
  return { ...ctx.period, channel: ctx.channel ?? undefined };
}

/** `path?…` with the page's period, channel and `extra` (empty values dropped), for links that keep them. */
export function href(ctx: PageContext, path: string, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...kept(ctx), ...extra })) if (v !== undefined && v !== '') params.set(k, String(v));
  const q = params.toString();
  return `/dashboard${path === '/' ? '' : path}${q ? `?${q}` : ''}`;
}

/** Hidden form fields that carry what links keep (period, channel) through a GET form, minus the fields it asks itself. */
export function keptFields(ctx: PageContext, except: readonly string[] = []): string {
  return Object.entries(kept(ctx)).filter(([k, v]) => v !== undefined && !except.includes(k))
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
}

/** The channel switch (all, then each channel the business has): shown when it has more than one, or one is chosen. */
function channelSwitch(ctx: PageContext, current: string): string {
  if (ctx.channels.length < 2 && ctx.channel === null) return '';
  const options: [Channel | undefined, string][] = [[undefined, ctx.t('channel_all')], ...ctx.channels.map((c): [Channel, string] => [c, ctx.t(`channel_${c}`)])];
  const links = options.map(([channel, label]) => `<a href="${esc(href(ctx, current, { channel }))}"${(channel ?? null) === ctx.channel ? ' aria-current="true"' : ''} data-testid="channel-${channel ?? 'all'}">${esc(label)}</a>`).join('');
  return `<nav class="channels" aria-label="${esc(ctx.t('filter_channel'))}" data-testid="channel-switch">${links}</nav>`;
}

const NAV = [['/', 'nav_overview'], ['/managers', 'nav_managers'], ['/reasons', 'nav_reasons'], ['/gaps', 'nav_gaps'], ['/conversations', 'nav_conversations']] as const;

/** The page frame: business name, navigation, period switch, language switch, logout; readable on a phone. */
export function layout(ctx: PageContext, current: string, body: string, options: { head?: string; withPeriod?: boolean } = {}): string {
  const { t } = ctx;
  const nav = NAV.map(([path, key]) => `<a href="${esc(href(ctx, path))}"${path === current ? ' aria-current="page"' : ''} data-testid="nav-${key.slice(4)}">${esc(t(key))}</a>`).join('');
  const custom = ctx.period.from !== undefined || ctx.period.to !== undefined;
  const presets = (['today', '7d', '30d'] as const).map((p) => {
    const active = !custom && (ctx.period.period ?? '7d') === p;
    const url = `/dashboard${current === '/' ? '' : current}?period=${p}${ctx.channel ? `&channel=${ctx.channel}` : ''}`;
    return `<a href="${esc(url)}"${active ? ' aria-current="true"' : ''} data-testid="period-${p}">${esc(t(`period_${p}`))}</a>`;
  }).join('');
  const day = (i: number) => ctx.range.dayLabels[i] ?? '';
  const periodBar = options.withPeriod === false ? '' : `<section class="period">${presets}
    <form method="get" action="/dashboard${current === '/' ? '' : current}" class="custom">${keptFields(ctx, ['period', 'from', 'to'])}
      <label>${esc(t('from'))} <input type="date" name="from" value="${esc(day(0))}" required></label>
      <label>${esc(t('to'))} <input type="date" name="to" value="${esc(day(ctx.range.dayLabels.length - 1))}" required></label>
      <button type="submit">${esc(t('apply'))}</button>
    </form>
    <p class="note" data-testid="range">${esc(t('range_note', { from: day(0), to: day(ctx.range.dayLabels.length - 1), timezone: ctx.range.timezone }))}</p>${channelSwitch(ctx, current)}</section>`;
  const languages = LOCALES.map((l) => `<a href="/dashboard/language/${l}?back=${encodeURIComponent(href(ctx, current))}"${l === ctx.locale ? ' aria-current="true"' : ''} lang="${l}">${l.toUpperCase()}</a>`).join(' ');
  return page(ctx.locale, `${ctx.tenant.name} · ${t('title')}`, `<header>
    <div class="top"><strong data-testid="business">${esc(ctx.tenant.name)}</strong>
      <span class="who">${esc(t('signed_in_as', { name: ctx.session.userName, role: t(`role_${ctx.session.role}`) }))}</span>
      <span class="lang" aria-label="${esc(t('language'))}">${languages}</span>
      <form method="post" action="/dashboard/logout"><button type="submit" data-testid="logout">${esc(t('logout'))}</button></form></div>
    <nav>${nav}</nav></header>${periodBar}<main>${body}</main>`, options.head ?? '');
}

/** A bare HTML page (login, refusals) with the dashboard's stylesheet. */
export function page(locale: Locale, title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css">${head}</head>
<body>${body}</body></html>`;
}

export function message(locale: Locale, title: string, text: string, testId: string): string {
  return page(locale, title, `<main class="message"><h1>${esc(title)}</h1><p data-testid="${esc(testId)}">${esc(text)}</p></main>`);
}

export { dashText };
