import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Analytics } from '../analytics/analytics.js';
import { searchConversations, type ConversationFilter } from '../analytics/conversation-search.js';
import { parseChannel } from '../analytics/channels.js';
import { CONVERSATION_GAP_MS, LOOKAHEAD_MS } from '../analytics/conversations.js';
import { parseRange } from '../analytics/time-range.js';
import { UserError } from '../errors.js';
import type { DashboardSession, DashboardTenant } from '../storage/dashboard-auth-store.js';
import type { DashboardStore } from '../storage/dashboard-store.js';
import type { Locale } from '../tenants/settings.js';
import { asset } from './assets.js';
import { SESSION_TTL_MS, type DashboardAuth, type TelegramUser } from './auth.js';
import { checkWidgetLogin } from './telegram-login.js';
import { conversationsCsv, managersCsv } from './csv.js';
import { conversationsPage, conversationView } from './conversations-page.js';
import { message, type PageContext } from './layout.js';
import { loginPage, widgetPage } from './login-page.js';
import { overviewPage } from './overview-page.js';
import { gapsPage, managersPage, reasonsPage } from './tables-pages.js';
import { dashText, isLocale } from './texts.js';

export const SESSION_COOKIE = 'botctl_dashboard';
const LANG_COOKIE = 'botctl_lang';

/** The Telegram Login Widget, when the cell has a bot: its token checks answers, membership is asked from Telegram. */
export interface WidgetLogin {
  botToken: string;
  botUsername: () => Promise<string | null>;
  /** Tenants `user` may open: owner, or a member of the managers' group now (asked from Telegram). */
  tenantsFor(user: TelegramUser): Promise<DashboardTenant[]>;
}

export interface DashboardDeps {
  auth: DashboardAuth;
  widget?: WidgetLogin;
  analytics: Analytics;
  store: DashboardStore;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  clock?: () => number;
}

type Env = { Variables: { session: DashboardSession } };

/**
 * The owner's dashboard, mounted by the worker at /dashboard: login by one-time link, then pages, JSON (`/api/…`)
 * and CSV (`/export/…`) of one tenant, the session's. Nothing here takes a tenant from the request: a session of
 * tenant A asking for B's conversation gets 404, exactly as for one that does not exist.
 */
export function createDashboard(deps: DashboardDeps): Hono<Env> {
  const clock = deps.clock ?? Date.now;
  const app = new Hono<Env>();
  // The language chosen with the switch, else the tenant's; before login, the browser's (Accept-Language).
  const localeOf = (c: Context, fallback: string | null): Locale => {
    const chosen = getCookie(c, LANG_COOKIE);
    if (isLocale(chosen)) return chosen;
    if (fallback !== null && isLocale(fallback)) return fallback;
    const browser = (c.req.header('accept-language') ?? '').split(',').map((l) => l.trim().slice(0, 2).toLowerCase()).find((l) => isLocale(l));
    return isLocale(browser) ? browser : 'en';
  };

  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });

  app.get('/assets/:name', (c) => {
    const file = asset(c.req.param('name'));
    if (!file) return c.text('no such file', 404);
    return c.body(new Uint8Array(file.body), 200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600' });
  });

  app.get('/login/:token', (c) => c.html(loginPage(localeOf(c, null), c.req.param('token'))));

  app.post('/login/:token', (c) => {
    const result = deps.auth.redeem(c.req.param('token'), clientOf(c));
    const locale = localeOf(c, null);
    if (!result.ok) {
      const title = dashText(locale, 'login_title');
      return c.html(message(locale, title, dashText(locale, `login_${result.why}`), 'login-refused'), result.why === 'rate_limited' ? 429 : 403);
    }
    setCookie(c, SESSION_COOKIE, result.token, { httpOnly: true, secure: deps.secureCookies, sameSite: 'Lax', path: '/dashboard', maxAge: Math.floor(SESSION_TTL_MS / 1000) });
    return c.redirect('/dashboard', 303);
  });

  // The Login Widget's answer (data-auth-url): checked with the bot token, then the person's businesses now.
  app.get('/telegram-login', async (c) => {
    const locale = localeOf(c, null);
    const refused = (key: string, status: 403 | 429) => c.html(message(locale, dashText(locale, 'login_title'), dashText(locale, key), 'login-refused'), status);
    const client = clientOf(c);
    if (!deps.widget) return c.html(message(locale, '404', dashText(locale, 'not_found'), 'not-found'), 404);
    if (deps.auth.limited(client)) return refused('login_rate_limited', 429);
    const { tenant: slug, ...fields } = c.req.query();
    const checked = checkWidgetLogin(fields, deps.widget.botToken, clock());
    if (!checked.ok) {
      deps.auth.refuse(client, `widget_${checked.why}`);
      return refused(`login_${checked.why}`, 403);
    }
    const tenants = (await deps.widget.tenantsFor(checked.user)).filter((t) => deps.auth.roleOf(t, checked.user) !== null);
    const tenant = slug ? tenants.find((t) => t.slug === slug) : tenants[0];
    if (!tenant) {
      deps.auth.refuse(client, 'widget_not_member');
      return refused('login_not_member', 403);
    }
    const opened = deps.auth.openSession(checked.user, tenant.id, deps.auth.roleOf(tenant, checked.user)!, client, 'widget');
    setCookie(c, SESSION_COOKIE, opened.token, { httpOnly: true, secure: deps.secureCookies, sameSite: 'Lax', path: '/dashboard', maxAge: Math.floor(SESSION_TTL_MS / 1000) });
    return c.redirect('/dashboard', 303);
  });

  // A page with Telegram's Login Widget (its script comes from telegram.org; the bot's domain must be set with
  // @BotFather /setdomain). The one-time link from /dashboard needs neither.
  app.get('/telegram', async (c) => {
    const locale = localeOf(c, null);
    const bot = await deps.widget?.botUsername();
    if (!bot) return c.html(message(locale, '404', dashText(locale, 'not_found'), 'not-found'), 404);
    return c.html(widgetPage(locale, bot));
  });

  app.get('/language/:locale', (c) => {
    const locale = c.req.param('locale');
    if (isLocale(locale)) setCookie(c, LANG_COOKIE, locale, { httpOnly: true, secure: deps.secureCookies, sameSite: 'Lax', path: '/dashboard', maxAge: 365 * 86_400 });
    const back = c.req.query('back') ?? '/dashboard';
    return c.redirect(/^\/dashboard(?:[/?]|$)/.test(back) ? back : '/dashboard', 303);
  });

  // Everything below needs a session.
  app.use('*', async (c, next) => {
    const session = deps.auth.session(getCookie(c, SESSION_COOKIE));
    if (!session) {
      const locale = localeOf(c, null);
      if (isData(c.req.path)) return c.json({ ok: false, error: 'not logged in', fix: 'send /dashboard to the bot in Telegram and open the link it sends' }, 401);
      return c.html(message(locale, dashText(locale, 'login_title'), dashText(locale, 'login_needed'), 'login-needed'), 401);
    }
    c.set('session', session);
    await next();
  });

  app.post('/logout', (c) => {
    const session = c.get('session');
    deps.auth.logout(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard', secure: deps.secureCookies });
    const locale = localeOf(c, null);
    return c.html(message(locale, dashText(locale, 'logout'), dashText(locale, 'logged_out'), 'logged-out'));
  });

  /** The page context of the session's tenant, the asked period and channel, or a 400 that names the bad value. */
  const context = (c: Context<Env>): PageContext | Response => {
    const session = c.get('session');
    const tenant = deps.analytics.tenant(session.tenantId);
    const locale = localeOf(c, tenant?.locale ?? 'en');
    if (!tenant) return c.html(message(locale, '404', dashText(locale, 'not_found'), 'not-found'), 404);
    const period = { period: c.req.query('period'), from: c.req.query('from'), to: c.req.query('to') };
    try {
      const range = parseRange({ preset: period.period, from: period.from, to: period.to }, clock(), tenant.timezone);
      const channel = parseChannel(c.req.query('channel'));
      const kept = Object.fromEntries(Object.entries(period).filter(([, v]) => v !== undefined && v !== '')) as PageContext['period'];
      return { locale, tenant, session, range, period: kept, channel, channels: deps.analytics.channels(tenant.id), t: (key, vars) => dashText(locale, key, vars) };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (isData(c.req.path)) return c.json({ ok: false, error: err.message, fix: err.hint }, 400);
      return c.html(message(locale, '400', err.toString(), 'bad-request'), 400);
    }
  };
  const filterOf = (c: Context): ConversationFilter => ({ q: c.req.query('q'), outcome: c.req.query('outcome'), manager: c.req.query('manager'), reason: c.req.query('reason') });

  // Every page and export of numbers honours the channel switch (`channel=`), as it honours the period.
  const report = (ctx: PageContext) => deps.analytics.report(ctx.tenant, ctx.range, ctx.channel);
  const rows = (ctx: PageContext, filter: ConversationFilter = {}) => deps.analytics.searchConversations(ctx.tenant.id, ctx.range, filter, ctx.channel);
  app.get('/', (c) => withContext(c, (ctx) => c.html(overviewPage(ctx, report(ctx), clock()))));
  app.get('/managers', (c) => withContext(c, (ctx) => c.html(managersPage(ctx, report(ctx)))));
  app.get('/reasons', (c) => withContext(c, (ctx) => c.html(reasonsPage(ctx, report(ctx)))));
  app.get('/gaps', (c) => withContext(c, (ctx) => c.html(gapsPage(ctx, deps.analytics.knowledgeGaps(ctx.tenant.id, ctx.range, ctx.channel)))));
  app.get('/conversations', (c) => withContext(c, (ctx) => {
    const all = rows(ctx);
    const managers = [...new Set(all.flatMap((r) => r.managers))].sort();
    const filter = filterOf(c);
    return c.html(conversationsPage(ctx, searchConversations(all, filter), filter, managers));
  }));
  app.get('/conversations/:contactId', (c) => withContext(c, (ctx) => {
    const found = conversationData(ctx, c.req.param('contactId'), c.req.query('since'));
    if (!found) return c.html(message(ctx.locale, '404', ctx.t('not_found'), 'not-found'), 404);
    return c.html(conversationView(ctx, found.contact, found.messages, found.events));
  }));

  app.get('/export/conversations.csv', (c) => withContext(c, (ctx) => csv(c, `conversations-${ctx.tenant.slug}-${ctx.range.dayLabels[0]}${ctx.channel ? `-${ctx.channel}` : ''}.csv`,
    conversationsCsv(rows(ctx, filterOf(c)), ctx.range.timezone))));
  app.get('/export/managers.csv', (c) => withContext(c, (ctx) => csv(c, `managers-${ctx.tenant.slug}-${ctx.range.dayLabels[0]}.csv`,
    managersCsv(report(ctx).managers))));

  app.get('/api/overview', (c) => withContext(c, (ctx) => c.json(report(ctx))));
  app.get('/api/gaps', (c) => withContext(c, (ctx) => c.json(deps.analytics.knowledgeGaps(ctx.tenant.id, ctx.range, ctx.channel))));
  app.get('/api/conversations', (c) => withContext(c, (ctx) => c.json(rows(ctx, filterOf(c)))));
  app.get('/api/conversations/:contactId', (c) => withContext(c, (ctx) => {
    const found = conversationData(ctx, c.req.param('contactId'), c.req.query('since'));
    return found ? c.json(found) : c.json({ ok: false, error: 'no such conversation in this business', fix: 'take the id from /dashboard/api/conversations' }, 404);
  }));

  function withContext(c: Context<Env>, fn: (ctx: PageContext) => Response | Promise<Response>): Response | Promise<Response> {
    const ctx = context(c);
    return ctx instanceof Response ? ctx : fn(ctx);
  }

  function conversationData(ctx: PageContext, idText: string, sinceText: string | undefined) {
    if (!/^\d{1,15}$/.test(idText)) return null;
    const contact = deps.store.contact(ctx.tenant.id, Number(idText));
    if (!contact) return null;
    const since = sinceText && /^\d{1,15}$/.test(sinceText) ? Number(sinceText) : null;
    const from = since ?? ctx.range.from - CONVERSATION_GAP_MS;
    const to = since !== null ? since + 30 * 86_400_000 : ctx.range.to + LOOKAHEAD_MS;
    return { contact, messages: deps.store.transcript(ctx.tenant.id, contact.id, from, to), events: deps.store.timeline(ctx.tenant.id, contact.id, from - 86_400_000, to) };
  }

  return app;
}

function isData(path: string): boolean {
  return /\/dashboard\/(api|export)\//.test(path) || /^\/(api|export)\//.test(path);
}

function csv(c: Context, filename: string, body: string): Response {
  // A byte-order mark so spreadsheet programs read the Cyrillic names as UTF-8.
  return c.body(`\uFEFF${body}`, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"` });
}

/** The client's address for rate limits: the socket's, or the proxy's X-Forwarded-For when the proxy is on this host. */
function clientOf(c: Context): string {
  let remote = 'unknown';
  try {
    remote = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket
  }
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  const local = remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1';
  return local && forwarded ? forwarded : remote;
}
