import { Analytics } from '../analytics/analytics.js';
import type { Cell } from '../cell.js';
import type { DashboardLinkPort } from '../desk/telegram/dashboard-command.js';
import { AnalyticsStore } from '../storage/analytics-store.js';
import { DashboardAuthStore } from '../storage/dashboard-auth-store.js';
import { DashboardStore } from '../storage/dashboard-store.js';
import { DigestStore } from '../storage/digest-store.js';
import type { JobEnqueuer } from '../conversation/ports.js';
import { dashboardJobs } from './digest.js';
import { Api } from 'grammy';
import { MembershipCache } from '../desk/telegram/membership.js';
import { createDashboard, type WidgetLogin } from './app.js';
import { DashboardAuth } from './auth.js';

/**
 * The dashboard on one cell: its Hono app (the worker mounts it at /dashboard), the port the desk's `/dashboard`
 * command issues links through, and the digest job with its schedule. Links point at BOTCTL_PUBLIC_URL; cookies are Secure when it is https.
 */
export function wireDashboard(cell: Cell, deps: { queue: JobEnqueuer }, clock: () => number = Date.now) {
  const authStore = new DashboardAuthStore(cell.db);
  const auth = new DashboardAuth(authStore, cell.config.publicUrl ?? null, clock);
  const analytics = new Analytics(new AnalyticsStore(cell.db));
  const app = createDashboard({
    auth, analytics, store: new DashboardStore(cell.db), secureCookies: (cell.config.publicUrl ?? '').startsWith('https:'), clock,
    ...(cell.config.telegramBotToken ? { widget: widgetLogin(cell.config.telegramBotToken, cell.config.telegramApiRoot, authStore, clock) } : {}),
  });
  const links: DashboardLinkPort = {
    tenantsFor: (userId) => authStore.tenantsFor(userId),
    tenantByChat: (chatId) => authStore.tenantByChat(chatId),
    issue: (tenant, user) => auth.issue(tenant, user),
  };
  // The owner's digest and the pruning of ended logins: their handlers (a row each in the job table) and schedule.
  const { jobs, schedule } = dashboardJobs({
    store: new DigestStore(cell.db), logins: authStore, analytics, queue: deps.queue, publicUrl: cell.config.publicUrl ?? null, clock,
  });
  return { app, links, auth, authStore, analytics, jobs, schedule };
}

/** The Login Widget's checks: the bot's token, its @username (asked once), membership asked from Telegram. */
function widgetLogin(token: string, apiRoot: string, store: DashboardAuthStore, clock: () => number): WidgetLogin {
  const api = new Api(token, { apiRoot });
  const members = new MembershipCache(api, clock);
  let username: Promise<string | null> | null = null;
  return {
    botToken: token,
    botUsername: () => (username ??= api.getMe().then((me) => me.username, () => {
      username = null;
      return null;
    })),
    async tenantsFor(user) {
      const out = [];
      for (const tenant of store.tenantsFor(user.id)) {
        if (tenant.ownerChatId === user.id || (tenant.chatId !== null && (await members.isMember(tenant.chatId, user.id)))) out.push(tenant);
      }
      return out;
    },
  };
}
