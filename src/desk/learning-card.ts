import { InlineKeyboard } from 'grammy';
import type { LearnedItem } from '../storage/learning-store.js';
import type { Locale } from '../tenants/settings.js';
import { deskText, escapeHtml } from './desk-texts.js';

/** What a learning button asks for; the id is a handover (teach) or a learned item (the rest). */
export type LearnAction = 'teach' | 'save' | 'edit' | 'discard' | 'approve' | 'reject';
const CODES: Record<LearnAction, string> = { teach: 't', save: 's', edit: 'e', discard: 'd', approve: 'a', reject: 'r' };
const TELEGRAM_TEXT_LIMIT = 4096;

/** Callback data of a learning button: the action and an id only; who may press it is decided on the server. */
export function learnData(action: LearnAction, id: number): string {
  return `k:${CODES[action]}:${id}`;
}

export function parseLearnData(data: string): { action: LearnAction; id: number } | null {
  const match = /^k:([tsedar]):(\d+)$/.exec(data);
  if (!match) return null;
  const action = Object.entries(CODES).find(([, code]) => code === match[1])![0] as LearnAction;
  return { action, id: Number(match[2]) };
}

/** The row a card gets once a manager has answered: "Teach the bot". */
export function teachRow(keyboard: InlineKeyboard, handoverId: number, locale: Locale): InlineKeyboard {
  return keyboard.row().text(deskText(locale, 'btn_teach'), learnData('teach', handoverId));
}

/** The buttons under a taught item's message, by its state (none once decided). */
export function itemKeyboard(item: LearnedItem, locale: Locale): InlineKeyboard | undefined {
  const t = (key: string) => deskText(locale, key);
  if (item.status === 'draft') return new InlineKeyboard().text(t('btn_save'), learnData('save', item.id)).text(t('btn_edit'), learnData('edit', item.id)).text(t('btn_discard'), learnData('discard', item.id));
  if (item.status === 'refused' || item.status === 'editing') return new InlineKeyboard().text(t('btn_edit'), learnData('edit', item.id)).text(t('btn_discard'), learnData('discard', item.id));
  if (item.status === 'pending') return new InlineKeyboard().text(t('btn_approve'), learnData('approve', item.id)).text(t('btn_reject'), learnData('reject', item.id));
  return undefined;
}

/** A taught item's message: the draft (question, answer) and what happens next or what was decided. */
export function renderItem(item: LearnedItem, locale: Locale, approverHtml: string): string {
  const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
  const lines = [`<b>${escapeHtml(t('learn_draft_title', { number: item.handoverNumber ?? '?' }))}</b>`];
  if (item.question) lines.push(`<b>${t('learn_question')}:</b> ${escapeHtml(item.question)}`);
  if (item.answer) lines.push(`<b>${t('learn_answer')}:</b> ${escapeHtml(item.answer)}`);
  const who = escapeHtml(item.decidedByName ?? item.submittedByName ?? item.createdByName ?? '?');
  const state: Record<string, string> = {
    draft: `<i>${t('learn_draft_hint')}</i>`,
    refused: refusalText(item.refusal, locale),
    editing: t('learn_editing', { manager: escapeHtml(item.createdByName ?? '') }),
    pending: t('learn_pending', { manager: escapeHtml(item.submittedByName ?? '?'), approver: approverHtml }),
    live: t('learn_live', { manager: who }),
    discarded: t('learn_discarded', { manager: who }),
    rejected: t('learn_rejected', { manager: who }),
    removed: t('learn_discarded', { manager: who }),
    replaced: t('learn_live', { manager: who }),
  };
  if (state[item.status]) lines.push('', state[item.status]!);
  return lines.join('\n').slice(0, TELEGRAM_TEXT_LIMIT);
}

function refusalText(refusal: string | null, locale: Locale): string {
  if (refusal?.startsWith('changed_facts')) return deskText(locale, 'learn_refused_facts', { facts: escapeHtml(refusal.slice('changed_facts: '.length)) });
  if (refusal === 'customer_details') return deskText(locale, 'learn_refused_details');
  return deskText(locale, 'learn_refused_empty');
}

/** The digest: one numbered entry per proposal (new or an update of what the knowledge says), decided ones marked. */
export function renderDigest(items: readonly LearnedItem[], locale: Locale): string {
  const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
  const head = `<b>${escapeHtml(t('learn_digest_title', { count: items.length }))}</b>`;
  const blocks = items.map((item, i) => {
    const lines = [`<b>${i + 1}.</b> ${escapeHtml(item.question ?? '')} <i>(${escapeHtml(t('learn_digest_from', { number: item.handoverNumber ?? '?' }))})</i>`, `→ ${escapeHtml(item.answer ?? '')}`];
    if (item.updatesSource) lines.push(`<i>${escapeHtml(t('learn_digest_update', { source: item.updatesSource, answer: truncate(item.updatesAnswer ?? '', 200) }))}</i>`);
    if (item.status === 'live' || item.status === 'replaced') lines.push(t('learn_digest_live', { manager: escapeHtml(item.decidedByName ?? '?') }));
    if (item.status === 'rejected') lines.push(t('learn_digest_rejected', { manager: escapeHtml(item.decidedByName ?? '?') }));
    return lines.join('\n');
  });
  let text = head;
  for (const block of blocks) {
    if (text.length + block.length + 2 > TELEGRAM_TEXT_LIMIT) break;
    text += `\n\n${block}`;
  }
  return text;
}

/** Approve / Reject per entry still waiting, numbered as in the text. */
export function digestKeyboard(items: readonly LearnedItem[], locale: Locale): InlineKeyboard | undefined {
  const keyboard = new InlineKeyboard();
  let any = false;
  items.forEach((item, i) => {
    if (item.status !== 'proposed') return;
    keyboard.text(`✅ ${i + 1} ${deskText(locale, 'btn_approve')}`, learnData('approve', item.id)).text(`❌ ${i + 1} ${deskText(locale, 'btn_reject')}`, learnData('reject', item.id)).row();
    any = true;
  });
  return any ? keyboard : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
