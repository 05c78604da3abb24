import type { TenantRecord } from '../storage/tenant-store.js';
import { formatDuration } from '../config/durations.js';
import { formatBusinessHours, type BusinessHours } from './business-hours.js';

/** A tenant as the CLI shows it: secrets are reported as set or not, never shown. */
export interface TenantView {
  slug: string;
  name: string;
  status: string;
  locale: string;
  timezone: string;
  whatsapp: { phoneNumberId: string; token: 'set' | 'missing'; appSecret: 'own' | 'cell default'; status: string; statusDetail: string | null } | null;
  telegramChatId: number | null;
  ownerChatId: number | null;
  businessHours: string;
  remindAfter: string;
  remindEvery: string;
  remindMax: number;
  replyTimeout: string;
  voiceTranscription: boolean;
  llmCallsPerHour: number;
  dashboardManagers: boolean;
  digest: 'off' | 'daily' | 'weekly';
  createdAt: string;
  updatedAt: string;
}

export function viewTenant(t: TenantRecord): TenantView {
  return {
    slug: t.slug,
    name: t.name,
    status: t.status,
    locale: t.locale,
    timezone: t.timezone,
    whatsapp: t.whatsapp && {
      phoneNumberId: t.whatsapp.phoneNumberId,
      token: t.whatsapp.accessTokenEnc ? 'set' : 'missing',
      appSecret: t.whatsapp.appSecretEnc ? 'own' : 'cell default',
      status: t.whatsapp.status,
      statusDetail: t.whatsapp.statusDetail,
    },
    telegramChatId: t.telegramChatId,
    ownerChatId: t.ownerChatId,
    businessHours: formatBusinessHours(t.businessHours ? (JSON.parse(t.businessHours) as BusinessHours) : null),
    remindAfter: formatDuration(t.remindAfterMs),
    remindEvery: formatDuration(t.remindEveryMs),
    remindMax: t.remindMax,
    replyTimeout: formatDuration(t.replyTimeoutMs),
    voiceTranscription: t.voiceTranscription,
    llmCallsPerHour: t.llmCallsPerHour,
    dashboardManagers: t.dashboardManagers,
    digest: t.digest,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}
