import { Args, Flags } from '@oclif/core';
import type { TenantInput } from '../tenants/tenant-service.js';

export const slugArg = { slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }) };

/** The tenant settings flags shared by `tenant add` and `tenant update`. */
export const tenantSettingFlags = {
  name: Flags.string({ description: 'business name customers know' }),
  'whatsapp-phone-number-id': Flags.string({ description: 'numeric Phone number ID from the Meta app (WhatsApp > API Setup)' }),
  'whatsapp-token': Flags.string({ description: "WhatsApp access token of the Meta app's system user (stored encrypted)" }),
  'whatsapp-app-secret': Flags.string({ description: "the tenant's own Meta App Secret, when its app is not the cell's (stored encrypted)" }),
  'telegram-chat-id': Flags.string({ description: "managers' Telegram group id, negative, e.g. -1001234567890" }),
  'owner-chat-id': Flags.string({ description: "business owner's Telegram chat id, for escalated reminders" }),
  locale: Flags.string({ description: 'language of customer-facing texts and cards: ru, kk or en' }),
  timezone: Flags.string({ description: 'IANA timezone of the business, e.g. Asia/Almaty' }),
  'business-hours': Flags.string({ description: 'opening hours, e.g. "mon-fri 09:00-18:00; sat 10:00-14:00", or "always"' }),
  'remind-after': Flags.string({ description: 'remind managers of an untaken request after this long (default 5m)' }),
  'remind-every': Flags.string({ description: 'then repeat the reminder this often (default 5m)' }),
  'remind-max': Flags.string({ description: 'reminders before escalating to the owner and on-call (default 3)' }),
  'reply-timeout': Flags.string({ description: 'remind the assignee when a taken request has no reply after this long (default 15m)' }),
  'voice-transcription': Flags.string({ description: 'transcribe voice notes with the LLM provider: on or off (default off: customers are asked to write)' }),
  'llm-calls-per-hour': Flags.string({ description: 'most bot answers per customer per hour before a manager takes over (default 30)' }),
  'dashboard-managers': Flags.string({ description: 'managers may open the dashboard with /dashboard too: on or off (default on; the owner always may)' }),
  digest: Flags.string({ description: "the owner's digest of the main numbers in Telegram: off, daily or weekly (default off; needs --owner-chat-id)" }),
};

/** How managers teach the bot (src/learning/); `tenant add|update` apply them after the tenant's own settings. */
export const learningFlags = {
  learning: Flags.string({ description: 'what a manager\'s Save does: direct (goes live), approve (waits for the owner or --learning-approver), off (no Teach, no proposals); default direct' }),
  'learning-approver': Flags.string({ description: 'Telegram user id of who approves learned entries under --learning approve (default: the owner chat)' }),
  'learning-digest-at': Flags.string({ description: 'local time of the daily digest of proposed entries, HH:MM (default 18:00)' }),
};

export function toLearningInput(flags: { learning?: string | undefined; 'learning-approver'?: string | undefined; 'learning-digest-at'?: string | undefined }) {
  return { learning: flags.learning, learningApprover: flags['learning-approver'], learningDigestAt: flags['learning-digest-at'] };
}

type SettingFlags = { [K in keyof typeof tenantSettingFlags]?: string | undefined };

export function toTenantInput(flags: SettingFlags): TenantInput {
  return {
    name: flags.name,
    whatsappPhoneNumberId: flags['whatsapp-phone-number-id'],
    whatsappToken: flags['whatsapp-token'],
    whatsappAppSecret: flags['whatsapp-app-secret'],
    telegramChatId: flags['telegram-chat-id'],
    ownerChatId: flags['owner-chat-id'],
    locale: flags.locale,
    timezone: flags.timezone,
    businessHours: flags['business-hours'],
    remindAfter: flags['remind-after'],
    remindEvery: flags['remind-every'],
    remindMax: flags['remind-max'],
    replyTimeout: flags['reply-timeout'],
    voiceTranscription: flags['voice-transcription'],
    llmCallsPerHour: flags['llm-calls-per-hour'],
    dashboardManagers: flags['dashboard-managers'],
    digest: flags.digest,
  };
}

/** The tenant's other customer channels (src/tenants/channel-connections.ts); `tenant add|update` apply them after its settings. */
export const channelFlags = {
  'instagram-account-id': Flags.string({ description: 'numeric Instagram professional account id (Meta app > Instagram), e.g. 17841400000000000' }),
  'instagram-token': Flags.string({ description: 'Instagram access token of that account (stored encrypted)' }),
  'telegram-customer-bot-token': Flags.string({ description: "token of the business's own customer-facing Telegram bot from @BotFather, not the desk bot (stored encrypted)" }),
};

export function toInstagramInput(flags: { 'instagram-account-id'?: string | undefined; 'instagram-token'?: string | undefined }) {
  return { accountId: flags['instagram-account-id'], token: flags['instagram-token'] };
}
