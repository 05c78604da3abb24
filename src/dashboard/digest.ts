import type { Analytics } from '../analytics/analytics.js';
import { dateRange, localDate } from '../analytics/time-range.js';
import { JOB } from '../conversation/job-kinds.js';
import type { JobEnqueuer } from '../conversation/ports.js';
import { deskText, escapeHtml } from '../desk/desk-texts.js';
import type { JobHandler } from '../jobs/registry.js';
import type { ScheduleEntry } from '../scheduler/scheduler.js';
import type { DigestStore, DigestTenant } from '../storage/digest-store.js';
import type { Locale } from '../tenants/settings.js';
import { duration } from './texts.js';

/** Job kinds of the dashboard (ported into the kind table at merge). */
export const DASHBOARD_JOB = {
  digest: 'dashboard.digest', // {}: sends the digests that are due
  prune: 'dashboard.prune', // {}: forgets login links and sessions that ended a day ago
} as const;

/** The local hour from which the day's digest goes out. */
export const DIGEST_HOUR = 9;
const DAY = 86_400_000;

export interface DashboardJobDeps extends DigestDeps {
  /** Login links and sessions (DashboardAuthStore). */
  logins: { prune(before: number): number };
}

export interface DigestDeps {
  store: DigestStore;
  analytics: Analytics;
  queue: JobEnqueuer;
  publicUrl: string | null;
  clock: () => number;
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/**
 * Sends each subscribed owner the main numbers once a day (yesterday) or once a week on Monday (the 7 days before),
 * from DIGEST_HOUR local time. The day is recorded in the transaction that enqueues the message, so a digest goes out
 * once even when sweeps overlap or the worker restarts; a digest missed while the cell was down goes out at the next
 * sweep of the same day. Returns the tenants it sent to.
 */
export function sendDueDigests(deps: DigestDeps): string[] {
  const now = deps.clock();
  const sent: string[] = [];
  for (const tenant of deps.store.subscribers()) {
    const today = localDate(now, tenant.timezone);
    if (tenant.digestSentFor === today) continue;
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: tenant.timezone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(now)));
    if (hour < DIGEST_HOUR) continue;
    const weekday = new Date(`${today}T12:00:00Z`).getUTCDay(); // 1 = Monday
    if (tenant.digest === 'weekly' && weekday !== 1) continue;
    const last = addDays(today, -1);
    const first = tenant.digest === 'weekly' ? addDays(today, -7) : last;
    const html = digestHtml(tenant, deps, first, last, now);
    const done = deps.store.transaction(() => {
      if (!deps.store.markSent(tenant.id, today, tenant.digestSentFor)) return false;
      deps.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: tenant.ownerChatId, html } });
      return true;
    });
    if (done) sent.push(tenant.slug);
  }
  return sent;
}

export function digestHtml(tenant: DigestTenant, deps: Pick<DigestDeps, 'analytics' | 'publicUrl'>, first: string, last: string, now: number): string {
  const locale = tenant.locale as Locale;
  const report = deps.analytics.report(tenant, dateRange(first, last, tenant.timezone));
  const o = report.overview;
  const period = first === last ? first : `${first} – ${last}`;
  const lines = [
    deskText(locale, 'owner_digest_title', { business: escapeHtml(tenant.name), period }),
    deskText(locale, 'owner_digest_body', {
      conversations: o.conversations, bot_only: o.botOnly, handed_over: o.handedOver,
      rate: o.botResolutionRate === null ? '—' : `${Math.round(o.botResolutionRate * 100)}%`,
      bot_reply: duration(locale, o.botFirstReply.median), human_reply: duration(locale, o.humanFirstReply.median), take: duration(locale, o.timeToTake.median),
      open: o.openNow === 0 ? '0' : `${o.openNow} (#${o.oldestOpenNumber}, ${duration(locale, now - (o.oldestOpenAt ?? now))})`, outside: o.outsideHours,
    }),
  ];
  // A business on several channels sees where its conversations came from (one line per channel it has).
  if (report.byChannel.length > 1) {
    lines.push(report.byChannel.map((c) => deskText(locale, 'owner_digest_channel', {
      channel: deskText(locale, `channel_${c.channel}`), conversations: c.conversations, bot_only: c.botOnly, handed_over: c.handedOver,
    })).join('\n'));
  }
  if (deps.publicUrl) lines.push(deskText(locale, 'owner_digest_link', { url: `${deps.publicUrl.replace(/\/$/, '')}/dashboard` }));
  return lines.join('\n\n');
}

/**
 * The dashboard's jobs and schedule, in one place: the digest sweep runs every 15 minutes and sends what is due;
 * ended login links and sessions are forgotten hourly (the audit log keeps the logins).
 */
export interface DashboardJobs {
  /** Every quarter hour: queues the owners' digests that are due (daily or weekly, in each tenant's timezone). */
  digest: JobHandler;
  /** Hourly: drops ended one-time links and sessions. */
  prune: JobHandler;
}

export const DASHBOARD_JOB_POLICY = { maxAttempts: 3, timeoutMs: 5 * 60_000 };

/** The dashboard's job handlers (src/worker/job-table.ts says how they run) and their schedule entries. */
export function dashboardJobs(deps: DashboardJobDeps): { jobs: DashboardJobs; schedule: ScheduleEntry[] } {
  return {
    jobs: {
      digest: async (_job, { logger }) => {
        const sent = sendDueDigests(deps);
        if (sent.length > 0) logger.info({ tenants: sent }, 'owner digests queued');
      },
      prune: async (_job, { logger }) => {
        const pruned = deps.logins.prune(deps.clock() - DAY);
        if (pruned > 0) logger.info({ pruned }, 'pruned ended dashboard links and sessions');
      },
    },
    schedule: [
      { cron: '*/15 * * * *', job: () => ({ kind: DASHBOARD_JOB.digest, uniqueKey: DASHBOARD_JOB.digest }) },
      { cron: '23 * * * *', job: () => ({ kind: DASHBOARD_JOB.prune, uniqueKey: DASHBOARD_JOB.prune }) },
    ],
  };
}
