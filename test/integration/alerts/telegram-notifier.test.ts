import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { TelegramNotifier } from '../../../src/ops/alerts/telegram-notifier.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../fakes/telegram.js';
import { freePort } from '../../helpers/ports.js';

let sim: TelegramSimulator;
let oncall: number;
beforeAll(async () => {
  sim = await startTelegramSimulator();
  oncall = sim.createChat({ type: 'supergroup', title: 'On-call' }).id;
});
afterAll(async () => sim?.close());

const config = () => ({ telegramBotToken: sim.token, telegramApiRoot: sim.url, oncallChatId: oncall });

describe('TelegramNotifier through grammY against the Telegram Bot API simulator', () => {
  test('an alert arrives in the on-call chat once, as HTML with its markup intact and log text escaped', async () => {
    const sent = await TelegramNotifier.fromConfig(config()).send({ title: 'worker down', lines: ['Error: <b>not bold</b> & co'], fix: 'systemctl restart botctl' });
    const messages = sim.messagesIn(oncall);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message_id).toBe(sent.messageId);
    expect(messages[0]!.text).toBe('worker down\nError: <b>not bold</b> & co\nFix: systemctl restart botctl');
    expect(messages[0]!.entities?.map((e) => e.type)).toEqual(['bold', 'bold']);
    expect(messages[0]!.source?.parseMode).toBe('HTML');
  });

  test('a plain string is sent escaped', async () => {
    await TelegramNotifier.fromConfig(config()).send('disk 95% full <sda1>');
    expect(sim.messagesIn(oncall).at(-1)!.text).toBe('disk 95% full <sda1>');
  });

  test('a chat the bot is not in, a wrong token and an unreachable API each say what to fix', async () => {
    const wrongChat = TelegramNotifier.fromConfig({ ...config(), oncallChatId: -100999 });
    await expect(wrongChat.send('x')).rejects.toThrow(UserError);
    await expect(wrongChat.send('x')).rejects.toThrow(/the on-call chat -100999 refused the alert \(400 Bad Request: chat not found\)/);
    const wrongToken = TelegramNotifier.fromConfig({ ...config(), telegramBotToken: '7000000001:AAwrongwrongwrongwrongwrongwrongwrong' });
    await expect(wrongToken.send('x')).rejects.toThrow(/Telegram rejected TELEGRAM_BOT_TOKEN \(401 Unauthorized\)/);
    const down = TelegramNotifier.fromConfig({ ...config(), telegramApiRoot: `http://127.0.0.1:${await freePort()}` }, { timeoutSeconds: 2 });
    const error = await down.send('x').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^Telegram could not be reached to send the alert/);
    expect((error as Error).message).not.toContain(sim.token);
  });

  test('without a token or an on-call chat there is nothing to send with: a UserError naming the setting', () => {
    expect(() => TelegramNotifier.fromConfig({ ...config(), oncallChatId: null })).toThrow('BOTCTL_ONCALL_CHAT_ID is not set');
    expect(() => TelegramNotifier.fromConfig({ ...config(), telegramBotToken: null })).toThrow('TELEGRAM_BOT_TOKEN is not set');
  });
});
