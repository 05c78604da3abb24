import { Api, GrammyError, HttpError } from 'grammy';
import type { Config } from '../../config/config.js';
import { UserError } from '../../errors.js';
import { registerSecret, scrubText } from '../../observability/redact.js';

/** One alert: a headline, what was seen, and what a person should do. Plain text: the notifier escapes it. */
export interface Alert {
  title: string;
  lines?: string[];
  fix?: string;
}

export type AlertConfig = Pick<Config, 'telegramBotToken' | 'telegramApiRoot' | 'oncallChatId'>;

/** Telegram refuses longer messages (4096 characters after entity parsing); leave room for the tags. */
const MAX_TEXT = 3800;

/**
 * Sends alerts to the on-call Telegram chat (BOTCTL_ONCALL_CHAT_ID) through the Bot API with grammY, in HTML
 * parse mode with everything escaped, so text from a log line can never break the message or inject markup.
 * Used by `botctl run` when it gives up, and by `botctl watch`.
 */
export class TelegramNotifier {
  constructor(
    private readonly api: Api,
    readonly chatId: number,
  ) {}

  /** From the cell's configuration; a UserError naming the missing setting when alerts are not configured. */
  static fromConfig(config: AlertConfig, options: { timeoutSeconds?: number } = {}): TelegramNotifier {
    const problem = alertConfigProblem(config);
    if (problem) throw problem;
    registerSecret(config.telegramBotToken);
    const api = new Api(config.telegramBotToken!, { apiRoot: config.telegramApiRoot, timeoutSeconds: options.timeoutSeconds ?? 10 });
    return new TelegramNotifier(api, config.oncallChatId!);
  }

  /** Sends one message; resolves with its Telegram message id. Errors say what to fix (UserError) or what failed. */
  async send(alert: Alert | string): Promise<{ messageId: number }> {
    const text = typeof alert === 'string' ? cut(escapeHtml(alert), MAX_TEXT) : formatAlert(alert);
    try {
      const message = await this.api.sendMessage(this.chatId, text, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
      return { messageId: message.message_id };
    } catch (err) {
      throw explainSendError(err, this.chatId);
    }
  }
}

/** The UserError for a cell that cannot alert (no token or no on-call chat), or null when it can. */
export function alertConfigProblem(config: AlertConfig): UserError | null {
  if (!config.telegramBotToken) {
    return new UserError('alerts cannot be sent: TELEGRAM_BOT_TOKEN is not set', 'set it in the env file to the token @BotFather gave the cell\'s bot');
  }
  if (!config.oncallChatId) {
    return new UserError('alerts cannot be sent: BOTCTL_ONCALL_CHAT_ID is not set', 'add the bot to the on-call Telegram chat and set BOTCTL_ONCALL_CHAT_ID to that chat\'s id, e.g. -1001234567890');
  }
  return null;
}

/** `<b>title</b>`, the lines, and `Fix: …`, all escaped; cut to what Telegram accepts. */
export function formatAlert(alert: Alert): string {
  const title = `<b>${escapeHtml(alert.title)}</b>`;
  const fix = alert.fix ? `\n<b>Fix:</b> ${escapeHtml(alert.fix)}` : '';
  const body = cut((alert.lines ?? []).map((line) => escapeHtml(line)).join('\n'), MAX_TEXT - title.length - fix.length - 1);
  return `${title}${body ? `\n${body}` : ''}${fix}`;
}

/** Shortens escaped text to `room` characters without cutting an entity (`&amp;`) in half. */
function cut(text: string, room: number): string {
  return text.length <= room ? text : `${text.slice(0, Math.max(0, room - 1)).replace(/&[a-z]*$/, '')}…`;
}

/** Escapes the three characters Telegram's HTML parse mode reserves. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function explainSendError(err: unknown, chatId: number): Error {
  if (err instanceof GrammyError) {
    if (err.error_code === 401 || err.error_code === 404) {
      return new UserError(`Telegram rejected TELEGRAM_BOT_TOKEN (${err.error_code} ${err.description})`, 'set TELEGRAM_BOT_TOKEN to the current token from @BotFather');
    }
    if (err.error_code === 400 || err.error_code === 403) {
      return new UserError(`the on-call chat ${chatId} refused the alert (${err.error_code} ${err.description})`, 'add the bot to the on-call chat (and unblock it), and check BOTCTL_ONCALL_CHAT_ID');
    }
    return new Error(`Telegram answered ${err.error_code} ${err.description} to the alert`);
  }
  if (err instanceof HttpError) return new Error(`Telegram could not be reached to send the alert: ${scrubText(String((err.error as Error)?.message ?? err.message))}`);
  return err instanceof Error ? err : new Error(String(err));
}
