import type { Db } from './open-db.js';

/** A tenant row with its WhatsApp channel account; secrets stay sealed here (see src/tenants/). */
export interface TenantRecord {
  id: number;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  locale: string;
  timezone: string;
  telegramChatId: number | null;
  ownerChatId: number | null;
  businessHours: string | null;
  remindAfterMs: number;
  remindEveryMs: number;
  remindMax: number;
  replyTimeoutMs: number;
  voiceTranscription: boolean;
  llmCallsPerHour: number;
  /** Managers may open the dashboard too, not only the owner. */
  dashboardManagers: boolean;
  /** The owner's digest in Telegram: off, daily or weekly. */
  digest: 'off' | 'daily' | 'weekly';
  createdAt: number;
  updatedAt: number;
  whatsapp: WhatsappAccountRecord | null;
}

export interface WhatsappAccountRecord {
  id: number;
  phoneNumberId: string;
  accessTokenEnc: Buffer | null;
  appSecretEnc: Buffer | null;
  status: 'ok' | 'token_broken';
  statusDetail: string | null;
}

export type TenantFields = Omit<TenantRecord, 'id' | 'createdAt' | 'updatedAt' | 'whatsapp'>;
export type WhatsappFields = Omit<WhatsappAccountRecord, 'id' | 'status' | 'statusDetail'>;

const SELECT = `
  SELECT t.id, t.slug, t.name, t.status, t.locale, t.timezone, t.telegram_chat_id AS telegramChatId,
         t.owner_chat_id AS ownerChatId, t.business_hours AS businessHours, t.remind_after_ms AS remindAfterMs,
         t.remind_every_ms AS remindEveryMs, t.remind_max AS remindMax, t.reply_timeout_ms AS replyTimeoutMs,
         t.voice_transcription AS voiceTranscription, t.llm_calls_per_hour AS llmCallsPerHour,
         t.dashboard_managers AS dashboardManagers, t.digest,
         t.created_at AS createdAt, t.updated_at AS updatedAt,
         c.id AS caId, c.external_id AS phoneNumberId, c.access_token_enc AS accessTokenEnc,
         c.app_secret_enc AS appSecretEnc, c.status AS caStatus, c.status_detail AS caStatusDetail
  FROM tenants t LEFT JOIN channel_accounts c ON c.tenant_id = t.id AND c.channel = 'whatsapp'`;

type Row = Omit<TenantRecord, 'whatsapp'> & {
  caId: number | null;
  phoneNumberId: string | null;
  accessTokenEnc: Buffer | null;
  appSecretEnc: Buffer | null;
  caStatus: 'ok' | 'token_broken' | null;
  caStatusDetail: string | null;
};

function toRecord(row: Row): TenantRecord {
  const { caId, phoneNumberId, accessTokenEnc, appSecretEnc, caStatus, caStatusDetail, ...tenant } = row;
  return {
    ...tenant,
    voiceTranscription: Boolean(tenant.voiceTranscription),
    dashboardManagers: Boolean(tenant.dashboardManagers),
    whatsapp: caId === null ? null : { id: caId, phoneNumberId: phoneNumberId!, accessTokenEnc, appSecretEnc, status: caStatus!, statusDetail: caStatusDetail },
  };
}

const COLUMNS: Record<keyof TenantFields, string> = {
  slug: 'slug', name: 'name', status: 'status', locale: 'locale', timezone: 'timezone', telegramChatId: 'telegram_chat_id',
  ownerChatId: 'owner_chat_id', businessHours: 'business_hours', remindAfterMs: 'remind_after_ms',
  remindEveryMs: 'remind_every_ms', remindMax: 'remind_max', replyTimeoutMs: 'reply_timeout_ms',
  voiceTranscription: 'voice_transcription', llmCallsPerHour: 'llm_calls_per_hour', dashboardManagers: 'dashboard_managers', digest: 'digest',
};

/** SQL for tenants and their channel accounts. Every lookup is by slug or id; nothing crosses tenants. */
export class TenantStore {
  constructor(private readonly db: Db) {}

  findBySlug(slug: string): TenantRecord | null {
    const row = this.db.prepare(`${SELECT} WHERE t.slug = ?`).get(slug) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  findByPhoneNumberId(phoneNumberId: string): TenantRecord | null {
    const row = this.db.prepare(`${SELECT} WHERE c.external_id = ?`).get(phoneNumberId) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(): TenantRecord[] {
    return (this.db.prepare(`${SELECT} ORDER BY t.slug`).all() as Row[]).map(toRecord);
  }

  insert(fields: TenantFields, whatsapp: WhatsappFields | null, now: number): number {
    const keys = Object.keys(COLUMNS) as (keyof TenantFields)[];
    const { lastInsertRowid } = this.db
      .prepare(`INSERT INTO tenants (${keys.map((k) => COLUMNS[k]).join(', ')}, created_at, updated_at)
                VALUES (${keys.map(() => '?').join(', ')}, ?, ?)`)
      .run(...keys.map((k) => toSql(fields[k])), now, now);
    const tenantId = Number(lastInsertRowid);
    if (whatsapp) this.upsertWhatsapp(tenantId, whatsapp, now);
    return tenantId;
  }

  update(tenantId: number, fields: Partial<TenantFields>, now: number): void {
    const keys = (Object.keys(fields) as (keyof TenantFields)[]).filter((k) => k !== 'slug' && fields[k] !== undefined);
    if (keys.length === 0) return;
    this.db
      .prepare(`UPDATE tenants SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
      .run(...keys.map((k) => toSql(fields[k])), now, tenantId);
  }

  upsertWhatsapp(tenantId: number, fields: WhatsappFields, now: number): void {
    this.db
      .prepare(`INSERT INTO channel_accounts (tenant_id, channel, external_id, access_token_enc, app_secret_enc, created_at, updated_at)
                VALUES (?, 'whatsapp', ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, channel) DO UPDATE SET external_id = excluded.external_id,
                  access_token_enc = excluded.access_token_enc, app_secret_enc = excluded.app_secret_enc,
                  status = CASE WHEN excluded.access_token_enc IS NOT channel_accounts.access_token_enc THEN 'ok' ELSE channel_accounts.status END,
                  status_detail = CASE WHEN excluded.access_token_enc IS NOT channel_accounts.access_token_enc THEN NULL ELSE channel_accounts.status_detail END,
                  updated_at = excluded.updated_at`)
      .run(tenantId, fields.phoneNumberId, fields.accessTokenEnc, fields.appSecretEnc, now, now);
  }

  /** What `tenant remove` deletes along with the tenant, so the operator can read it before confirming. */
  countOwned(tenantId: number): Record<'contacts' | 'messages' | 'handovers' | 'jobs', number> {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).get(tenantId) as { n: number }).n;
    return { contacts: count('contacts'), messages: count('messages'), handovers: count('handovers'), jobs: count('jobs') };
  }

  remove(tenantId: number): void {
    this.db.prepare('DELETE FROM tenants WHERE id = ?').run(tenantId);
  }
}

/** SQLite has no booleans: store them as 0/1. */
function toSql(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}
