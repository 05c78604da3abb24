import { hostname } from 'node:os';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { telegramSink } from '../../src/ops/watch/alert-sink.js';

export default class WatchTestAlert extends BotctlCommand {
  static override summary = 'Send a test message to the on-call Telegram chat, to prove alerts arrive.';
  static override examples = ['<%= config.bin %> watch test-alert'];

  async run(): Promise<void> {
    const { flags } = await this.parse(WatchTestAlert);
    const config = this.loadConfig(flags, {}, []);
    const cell = config.publicUrl ? new URL(config.publicUrl).host : hostname();
    const sink = telegramSink(config);
    await sink.send(`🧪 botctl ${cell}: test alert. Alerts from botctl watch reach this chat; nothing is wrong.`);
    this.log(`Sent a test alert to the on-call chat ${sink.chatId}.`);
  }
}
