import type { ChannelView } from '../tenants/channel-connections.js';
import type { TenantView } from '../tenants/tenant-view.js';

/** The lines `tenant show` prints for a person. */
export function tenantLines(t: TenantView): string[] {
  const wa = t.whatsapp;
  return [
    `${t.slug}  ${t.name}  (${t.status})`,
    `  locale ${t.locale}, timezone ${t.timezone}, hours: ${t.businessHours}`,
    `  whatsapp: ${wa ? `phone number id ${wa.phoneNumberId}, token ${wa.token}, app secret ${wa.appSecret}, ${wa.status}${wa.statusDetail ? ` (${wa.statusDetail})` : ''}` : 'not connected'}`,
    `  telegram managers chat: ${t.telegramChatId ?? 'not set'}; owner chat: ${t.ownerChatId ?? 'not set'}`,
    `  reminders: after ${t.remindAfter}, every ${t.remindEvery}, ${t.remindMax} times; reply timeout ${t.replyTimeout}`,
    `  bot: voice transcription ${t.voiceTranscription ? 'on' : 'off'}, at most ${t.llmCallsPerHour} answers per customer per hour`,
    `  dashboard: ${t.dashboardManagers ? 'owner and managers' : 'owner only'}; digest ${t.digest}`,
    `  created ${t.createdAt}, updated ${t.updatedAt}`,
  ];
}

/** One line per customer channel of the tenant (WhatsApp is detailed above; the others here). */
export function channelLines(channels: readonly ChannelView[]): string[] {
  const lines = [`  channels: ${channels.length ? channels.map((c) => c.channel).join(', ') : 'none connected'}`];
  for (const c of channels) {
    if (c.channel === 'whatsapp') continue;
    const what = c.channel === 'instagram' ? `account id ${c.externalId}` : `bot id ${c.externalId}`;
    lines.push(`  ${c.channel}: ${what}, token set, ${c.status}${c.statusDetail ? ` (${c.statusDetail})` : ''}`);
  }
  return lines;
}
