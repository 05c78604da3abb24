import type { Config } from './config.js';
import { unknownVariables } from './load.js';

/** Settings that are valid but leave a part of the product off; `config check` prints them. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.envFile) {
    for (const name of unknownVariables(config.envFile)) warnings.push(`${name} in ${config.envFile} is not a botctl setting (a typo?); botctl config show lists the settings`);
  }
  if (!config.openaiApiKey) warnings.push('OPENAI_API_KEY is not set: the bot answers only exact FAQ matches and hands everything else to managers');
  if (!config.telegramBotToken) warnings.push('TELEGRAM_BOT_TOKEN is not set: managers get no handover cards; create a bot with @BotFather and set it');
  if (!config.oncallChatId) warnings.push('BOTCTL_ONCALL_CHAT_ID is not set: nobody is alerted when something breaks');
  if (!config.whatsappAppSecret) warnings.push('WHATSAPP_APP_SECRET is not set: webhooks are accepted only for tenants with their own app secret');
  if (!config.whatsappVerifyToken) warnings.push("WHATSAPP_VERIFY_TOKEN is not set: Meta's webhook verification will be refused");
  if (!config.publicUrl) warnings.push('BOTCTL_PUBLIC_URL is not set: links in cards and webhook hints cannot be built');
  if (!config.litestreamReplicaUrl) warnings.push('LITESTREAM_REPLICA_URL is not set: the database is not backed up off this machine');
  return warnings;
}
