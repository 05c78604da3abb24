import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import { JOB } from '../../conversation/job-kinds.js';
import type { JobEnqueuer } from '../../conversation/ports.js';
import type { Logger } from '../../observability/logger.js';
import type { DashboardTenant } from '../../storage/dashboard-auth-store.js';
import { LOCALES, type Locale } from '../../tenants/settings.js';
import { deskText, escapeHtml } from '../desk-texts.js';
import type { MembershipCache } from './membership.js';

/** What the desk needs from the dashboard to hand out links (src/dashboard/auth.ts implements it). */
export interface DashboardLinkPort {
  /** Active tenants whose group `userId` may be in, or whose owner they are. */
  tenantsFor(userId: number): DashboardTenant[];
  tenantByChat(chatId: number): DashboardTenant | null;
  issue(tenant: DashboardTenant, user: { id: number; name: string }): { ok: true; url: string; expiresAt: number } | { ok: false; why: 'no_public_url' | 'managers_off' | 'rate_limited' };
}

export interface DashboardCommandDeps {
  api: Api;
  /** The bot's @username (from getMe at start), for "open a chat with @…". */
  botUsername: string;
  links: DashboardLinkPort;
  members: MembershipCache;
  queue: JobEnqueuer;
  clock: () => number;
  logger: Logger;
}

const MAX_TENANTS = 5;

/**
 * `/dashboard` from a managers group or a private chat: the bot answers privately with a one-time link per tenant the
 * person may see (a member of its managers group, checked with Telegram now, or its owner). A stranger gets a refusal
 * and no link. A link is sent directly, never through the jobs table, so no usable link sits in the database.
 */
export async function answerDashboardCommand(message: Message, deps: DashboardCommandDeps): Promise<void> {
  const from = message.from;
  if (!from) return;
  const user = { id: from.id, name: [from.first_name, from.last_name].filter(Boolean).join(' ').trim() || from.username || String(from.id) };
  const inGroup = message.chat.type === 'group' || message.chat.type === 'supergroup';
  let tenants: DashboardTenant[];
  if (inGroup) {
    const tenant = deps.links.tenantByChat(message.chat.id);
    tenants = tenant && tenant.status === 'active' && (await deps.members.isMember(message.chat.id, user.id)) ? [tenant] : [];
  } else {
    tenants = [];
    for (const tenant of deps.links.tenantsFor(user.id)) {
      if (tenant.ownerChatId === user.id || (tenant.chatId !== null && (await deps.members.isMember(tenant.chatId, user.id)))) tenants.push(tenant);
      if (tenants.length === MAX_TENANTS) break;
    }
  }
  const userLocale = (LOCALES as readonly string[]).includes(from.language_code ?? '') ? (from.language_code as Locale) : null;
  const lines: string[] = [];
  for (const tenant of tenants) {
    const locale = (userLocale ?? tenant.locale) as Locale;
    const issued = deps.links.issue(tenant, user);
    if (issued.ok) {
      lines.push(deskText(locale, 'dashboard_link', { business: escapeHtml(tenant.name), minutes: Math.round((issued.expiresAt - deps.clock()) / 60_000), url: issued.url }));
    } else {
      lines.push(deskText(locale, issued.why === 'no_public_url' ? 'dashboard_no_url' : issued.why === 'managers_off' ? 'dashboard_managers_off' : 'dashboard_rate_limited', { business: escapeHtml(tenant.name) }));
    }
  }
  if (tenants.length === 0) {
    deps.logger.warn({ user: user.id, chat: message.chat.id }, 'a dashboard link was refused: not a member of any managers group');
    lines.push(deskText(userLocale ?? 'en', 'dashboard_not_member'));
  }
  const groupTenant = inGroup ? deps.links.tenantByChat(message.chat.id) : null;
  const groupLocale = (groupTenant?.locale ?? 'en') as Locale;
  const threadId = message.is_topic_message ? message.message_thread_id : undefined;
  const toGroup = (key: string, vars: Record<string, string>) => deps.queue.enqueue({
    kind: JOB.deskNotify, tenantId: groupTenant?.id ?? null, payload: { chatId: message.chat.id, html: deskText(groupLocale, key, vars), ...(threadId !== undefined ? { threadId } : {}) },
  });
  try {
    await deps.api.sendMessage(user.id, lines.join('\n\n'), { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    if (inGroup && tenants.length > 0) toGroup('dashboard_sent', { name: escapeHtml(user.name) });
  } catch (err) {
    // Only the message: a GrammyError carries the call's payload, which holds the one-time link.
    deps.logger.warn({ error: err instanceof Error ? err.message : String(err), user: user.id }, 'the dashboard link could not be sent privately');
    if (inGroup) toGroup('dashboard_start_private', { name: escapeHtml(user.name), bot: deps.botUsername });
  }
}
