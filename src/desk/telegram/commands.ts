import type { Message } from 'grammy/types';
import type { Manager } from '../../conversation/desk-actions.js';
import { JOB } from '../../conversation/job-kinds.js';
import type { DeskHandover, DeskTenant } from '../../storage/desk-store.js';
import type { Locale } from '../../tenants/settings.js';
import { clockTime, deskText, escapeHtml, humanDuration } from '../desk-texts.js';
import type { UpdateDeps } from './updates.js';

/** `/open`, `/mine`, `/stats` in a managers group; answers go out as durable desk messages. */
export function answerCommand(text: string, message: Message, tenant: DeskTenant, manager: Manager, deps: UpdateDeps): void {
  const command = /^\/([a-z]+)(?:@\w+)?/i.exec(text.trim())?.[1]?.toLowerCase();
  const locale = tenant.locale as Locale;
  const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
  let html: string | null = null;
  if (command === 'open' || command === 'mine') {
    const open = deps.store.openHandovers(tenant.id, command === 'mine' ? manager.id : null);
    html = open.length === 0
      ? t(command === 'open' ? 'open_none' : 'mine_none')
      : [`<b>${t(command === 'open' ? 'open_title' : 'mine_title')}</b>`, ...open.map((h) => line(h, tenant, locale))].join('\n');
  } else if (command === 'stats') {
    const stats = deps.store.statsSince(tenant.id, startOfDay(deps.clock(), tenant.timezone));
    html = t('stats', {
      created: stats.created, taken: stats.taken, resolved: stats.resolved, waiting: stats.waiting,
      take: stats.avgTakeMs === null ? '—' : humanDuration(stats.avgTakeMs), resolve: stats.avgResolveMs === null ? '—' : humanDuration(stats.avgResolveMs),
    });
  }
  if (html === null) return;
  const threadId = message.is_topic_message ? message.message_thread_id : undefined;
  deps.queue.enqueue({ kind: JOB.deskNotify, tenantId: tenant.id, payload: { chatId: message.chat.id, html, ...(threadId !== undefined ? { threadId } : {}) } });
}

function line(h: DeskHandover, tenant: DeskTenant, locale: Locale): string {
  const state = h.status === 'waiting' ? deskText(locale, 'state_waiting') : deskText(locale, 'state_taken', { manager: escapeHtml(h.assignedToName ?? '?') });
  const title = deskText(locale, 'card_title', { number: h.number });
  const link = cardLink(h.chatId ?? tenant.chatId, h.cardMessageId);
  const who = escapeHtml(h.customerName ?? `+${h.customerPhone}`);
  return `• ${link ? `<a href="${link}">${escapeHtml(title)}</a>` : escapeHtml(title)} — ${who}, ${state}, ${clockTime(h.createdAt, tenant.timezone)}`;
}

/** Supergroup messages have public-style links (t.me/c/<id without -100>/<message>); plain groups have none. */
function cardLink(chatId: number | null, messageId: number | null): string | null {
  if (chatId === null || messageId === null) return null;
  const id = String(chatId);
  return id.startsWith('-100') ? `https://t.me/c/${id.slice(4)}/${messageId}` : null;
}

/** Midnight of `now`'s day in the tenant's timezone, as epoch ms. */
function startOfDay(now: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return now - ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 - (now % 1000);
}
