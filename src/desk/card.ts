import { InlineKeyboard } from 'grammy';
import type { Locale } from '../tenants/settings.js';
import type { DeskHandover, DeskTenant, TranscriptLine } from '../storage/desk-store.js';
import { clockTime, deskText, escapeHtml, humanDuration } from './desk-texts.js';
import { teachRow } from './learning-card.js';

/** Telegram's limit for a message text; the conversation part is trimmed (oldest lines first) to fit. */
const TELEGRAM_TEXT_LIMIT = 4096;
const LINE_LIMIT = 600;
/**
 * Bounds of the head's parts, whatever was stored (a name set before names were bounded, a long LLM summary): the
 * head then takes at most ~2,000 of the 4,096 characters and the card shortens its history, never fails.
 */
const HEAD_LIMITS = { name: 100, customer: 100, reason: 400, summary: 1200 } as const;

export type CardAction = 'take' | 'resolve' | 'release' | 'takeover';
const ACTION_CODES: Record<CardAction, string> = { take: 't', resolve: 'r', release: 'l', takeover: 'o' };

/** Callback data holds the handover id and the action only; who may do it is decided on the server. */
export function callbackData(action: CardAction, handoverId: number): string {
  return `h:${handoverId}:${ACTION_CODES[action]}`;
}

export function parseCallbackData(data: string): { handoverId: number; action: CardAction } | null {
  const match = /^h:(\d+):([trlo])$/.exec(data);
  if (!match) return null;
  const action = (Object.entries(ACTION_CODES).find(([, code]) => code === match[2])?.[0] ?? null) as CardAction | null;
  return action ? { handoverId: Number(match[1]), action } : null;
}

/** The card's buttons by state; `teach` adds "Teach the bot" once a manager has answered (learning not off). */
export function cardKeyboard(h: DeskHandover, locale: Locale, options: { teach?: boolean } = {}): InlineKeyboard | undefined {
  const t = (key: string) => deskText(locale, key);
  const teach = options.teach === true && h.firstResponseAt !== null;
  if (h.status === 'waiting') return new InlineKeyboard().text(t('btn_take'), callbackData('take', h.id)).text(t('btn_resolve'), callbackData('resolve', h.id));
  if (h.status === 'taken') {
    const keyboard = new InlineKeyboard().text(t('btn_resolve'), callbackData('resolve', h.id)).text(t('btn_release'), callbackData('release', h.id)).row()
      .text(t('btn_take_over'), callbackData('takeover', h.id));
    return teach ? teachRow(keyboard, h.id, locale) : keyboard;
  }
  return teach ? teachRow(new InlineKeyboard(), h.id, locale) : undefined;
}

/**
 * The handover card in HTML: number, customer, reason, summary, status, and the recent conversation (newest last),
 * trimmed from the oldest line so the whole card fits Telegram's 4096 characters. Every piece of customer or
 * model text is escaped.
 */
export function renderCard(h: DeskHandover, tenant: DeskTenant, transcript: TranscriptLine[]): string {
  const locale = tenant.locale as Locale;
  const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
  const channel = h.channel ?? 'whatsapp';
  const customer = [t(`channel_${channel}`), h.customerName && truncate(h.customerName, HEAD_LIMITS.customer), customerAddress(h)].filter(Boolean).map((s) => escapeHtml(String(s))).join(' · ');
  const status = h.status === 'waiting'
    ? t('status_waiting', { time: clockTime(h.createdAt, tenant.timezone) })
    : h.status === 'taken'
      ? t('status_taken', { manager: escapeHtml(h.assignedToName ?? '?'), time: clockTime(h.takenAt ?? h.createdAt, tenant.timezone) })
      : t('status_resolved', { manager: escapeHtml(h.resolvedByName ?? '?'), duration: humanDuration((h.resolvedAt ?? h.createdAt) - h.createdAt) });
  const head = [
    `<b>${escapeHtml(t('card_title', { number: h.number }))}</b> · ${escapeHtml(truncate(tenant.name, HEAD_LIMITS.name))}`,
    `<b>${t('customer')}:</b> ${customer}`,
    `<b>${t('reason')}:</b> ${escapeHtml(truncate(h.reason, HEAD_LIMITS.reason))}`,
    h.summary ? `<b>${t('summary')}:</b> ${escapeHtml(truncate(h.summary, HEAD_LIMITS.summary))}` : null,
    status,
  ].filter(Boolean).join('\n');
  const foot = h.status === 'resolved' ? '' : `\n\n<i>${t('reply_hint', { channel: t(`channel_${channel}`) })}</i>`;
  const who = { customer: t('who_customer'), bot: t('who_bot'), manager: t('who_manager'), system: t('who_bot') };
  const lines = transcript.map((l) => `<b>${who[l.author]}:</b> ${escapeHtml(truncate(l.text, LINE_LIMIT))}`);
  const budget = TELEGRAM_TEXT_LIMIT - head.length - foot.length - 40;
  const kept: string[] = [];
  let used = 0;
  for (const line of [...lines].reverse()) {
    if (used + line.length + 1 > budget) break;
    kept.unshift(line);
    used += line.length + 1;
  }
  const conversation = kept.length ? `\n\n<b>${t('conversation')}:</b>\n${kept.join('\n')}` : '';
  return `${head}${conversation}${foot}`;
}

/**
 * How managers find the customer on their channel. WhatsApp: the phone number, or the user id of a customer who hides
 * it (shown as it is, no "+"). Instagram and Telegram: the @handle when known (an Instagram one arrives by a profile
 * lookup shortly after the first message), else the channel's id of the customer.
 */
export function customerAddress(h: Pick<DeskHandover, 'channel' | 'customerHandle' | 'customerPhone'>): string {
  if ((h.channel ?? 'whatsapp') !== 'whatsapp') return h.customerHandle ? `@${h.customerHandle}` : h.customerPhone;
  return /^\d+$/.test(h.customerPhone) ? `+${h.customerPhone}` : h.customerPhone;
}

/** The name of a request's forum topic (plain text, ≤ 128 characters): number, channel, name and address. */
export function topicName(h: DeskHandover, locale: Locale): string {
  const name = h.customerName ? truncate(h.customerName, 60) : null;
  return [`№${h.number}`, deskText(locale, `channel_${h.channel ?? 'whatsapp'}`), name, customerAddress(h)].filter(Boolean).join(' · ').slice(0, 128);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
