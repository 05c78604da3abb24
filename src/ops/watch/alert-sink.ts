import type { Config } from '../../config/config.js';
import { TelegramNotifier } from '../alerts/telegram-notifier.js';

/** Where alert messages go. Tests record them; production sends them to the on-call Telegram chat. */
export interface AlertSink {
  /** Delivers one plain-text message or throws (watch then keeps the alert to try again on the next tick). */
  send(text: string): Promise<void>;
}

/**
 * The on-call chat through the shared notifier (src/ops/alerts/telegram-notifier.ts), which escapes the text for
 * HTML mode and turns Telegram's refusals into sentences with the fix. Throws a UserError naming the missing
 * setting when TELEGRAM_BOT_TOKEN or BOTCTL_ONCALL_CHAT_ID is unset.
 */
export function telegramSink(config: Pick<Config, 'telegramBotToken' | 'telegramApiRoot' | 'oncallChatId'>): AlertSink & { chatId: number } {
  const notifier = TelegramNotifier.fromConfig(config, { timeoutSeconds: 20 });
  return {
    chatId: notifier.chatId,
    async send(text) {
      await notifier.send(text);
    },
  };
}
