import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { badRequest } from './errors.js';
import type { Params } from './params.js';

const ACTIONS = [
  'url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
] as const;

/**
 * Reads `reply_markup`. Inline keyboards are checked as Telegram checks them (every button has text and
 * one action; `callback_data` is 1–64 bytes in UTF-8, else BUTTON_DATA_INVALID) and returned, because the
 * sent message carries them. Reply keyboards and force_reply are accepted but not echoed, as Telegram does.
 */
export function readReplyMarkup(params: Params): InlineKeyboardMarkup | undefined {
  const markup = params.json<Record<string, unknown>>('reply_markup', "can't parse reply keyboard markup JSON object");
  if (markup === undefined) return undefined;
  if (typeof markup !== 'object' || markup === null) throw badRequest("can't parse reply keyboard markup JSON object");
  if (!('inline_keyboard' in markup)) return undefined;
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays");
  }
  const keyboard = (rows as unknown[][]).map((row) => row.map(readButton)).filter((row) => row.length > 0);
  return { inline_keyboard: keyboard };
}

function readButton(raw: unknown): InlineKeyboardButton {
  if (typeof raw !== 'object' || raw === null) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const button = raw as Record<string, unknown>;
  if (typeof button.text !== 'string' || button.text === '') throw badRequest('BUTTON_TEXT_INVALID');
  const actions = ACTIONS.filter((action) => button[action] !== undefined);
  if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  if (button.callback_data !== undefined) {
    const data = button.callback_data;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
    if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
  }
  if (button.url !== undefined && (typeof button.url !== 'string' || !/^(https?|tg):\/\/\S+$/i.test(button.url))) {
    throw badRequest('BUTTON_URL_INVALID');
  }
  return button as unknown as InlineKeyboardButton;
}

/** Two markups are the same for "message is not modified" when they serialise the same. */
export function sameMarkup(a: InlineKeyboardMarkup | undefined, b: InlineKeyboardMarkup | undefined): boolean {
  const norm = (m: InlineKeyboardMarkup | undefined) => (m && m.inline_keyboard.length > 0 ? JSON.stringify(m) : '');
  return norm(a) === norm(b);
}
