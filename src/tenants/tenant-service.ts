import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { cut } from '../observability/cut.js';
import { registerTenantSecret } from '../observability/redact.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { TenantStore, type TenantFields, type TenantRecord } from '../storage/tenant-store.js';
import {
  validateBusinessHours, validateChatId, validateCount, validateDuration, validateGroupChatId, validateLocale,
  validatePhoneNumberId, validateSlug, validateSwitch, validateTimezone,
} from './settings.js';

/** Tenant settings as typed by the operator (flag values); every field is validated before anything is written. */
export interface TenantInput {
  name?: string;
  whatsappPhoneNumberId?: string;
  whatsappToken?: string;
  whatsappAppSecret?: string;
  telegramChatId?: string;
  ownerChatId?: string;
  locale?: string;
  timezone?: string;
  businessHours?: string;
  remindAfter?: string;
  remindEvery?: string;
  remindMax?: string;
  replyTimeout?: string;
  voiceTranscription?: string;
  llmCallsPerHour?: string;
  dashboardManagers?: string;
  digest?: string;
}

export const SECRET_CONTEXT = {
  whatsappToken: (slug: string) => `tenant:${slug}:whatsapp.access_token`,
  whatsappAppSecret: (slug: string) => `tenant:${slug}:whatsapp.app_secret`,
  instagramToken: (slug: string) => `tenant:${slug}:instagram.access_token`,
  telegramCustomerBotToken: (slug: string) => `tenant:${slug}:telegram.customer_bot_token`,
} as const;

/**
 * The longest business name: it heads every card and holding reply, and a card must fit Telegram's 4,096
 * characters with its history, so the name is a name, not a paragraph.
 */
export const MAX_NAME_LENGTH = 100;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Adds, changes and removes tenants; each change is validated first and written with its audit entry in one transaction. */
export class TenantService {
  private readonly tenants: TenantStore;
  private readonly audit: AuditStore;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.tenants = new TenantStore(cell.db);
    this.audit = new AuditStore(cell.db);
  }

  get(slug: string): TenantRecord {
    const tenant = this.tenants.findBySlug(validateSlug(slug));
    if (!tenant) throw new UserError(`there is no tenant "${cut(slug, 60)}"`, 'see the tenants of this cell with: botctl tenant list');
    return tenant;
  }

  list(): TenantRecord[] {
    return this.tenants.list();
  }

  add(slug: string, input: TenantInput): TenantRecord {
    validateSlug(slug);
    if (!input.name?.trim()) throw new UserError('--name is required', 'give the business name customers know, e.g. --name "Smile Dental"');
    if (!input.timezone) throw new UserError('--timezone is required', 'give the IANA timezone of the business, e.g. --timezone Asia/Almaty');
    if (input.whatsappPhoneNumberId && !input.whatsappToken) {
      throw new UserError('--whatsapp-token is required with --whatsapp-phone-number-id', "give the WhatsApp access token of the Meta app's system user");
    }
    if (!input.whatsappPhoneNumberId && (input.whatsappToken || input.whatsappAppSecret)) {
      throw new UserError('--whatsapp-phone-number-id is required with a WhatsApp token or app secret', 'give the numeric Phone number ID from the Meta app');
    }
    const fields: TenantFields = {
      slug,
      name: validateName(input.name),
      status: 'active',
      locale: 'ru',
      timezone: 'UTC',
      telegramChatId: null,
      ownerChatId: null,
      businessHours: null,
      remindAfterMs: 5 * MINUTE,
      remindEveryMs: 5 * MINUTE,
      remindMax: 3,
      replyTimeoutMs: 15 * MINUTE,
      voiceTranscription: false,
      llmCallsPerHour: 30,
      dashboardManagers: true,
      digest: 'off',
      ...this.validate(input),
    };
    const phoneNumberId = input.whatsappPhoneNumberId ? validatePhoneNumberId(input.whatsappPhoneNumberId) : null;

    const write = this.cell.db.transaction(() => {
      if (this.tenants.findBySlug(slug)) throw new UserError(`a tenant "${slug}" already exists`, `pick another slug, or change it with: botctl tenant update ${slug} …`);
      if (phoneNumberId) this.assertPhoneNumberIdFree(phoneNumberId, null);
      if (fields.telegramChatId !== null) this.assertChatFree(fields.telegramChatId, null);
      const now = this.clock();
      const id = this.tenants.insert(fields, phoneNumberId ? {
        phoneNumberId,
        accessTokenEnc: this.seal(input.whatsappToken, SECRET_CONTEXT.whatsappToken(slug)),
        appSecretEnc: this.seal(input.whatsappAppSecret, SECRET_CONTEXT.whatsappAppSecret(slug)),
      } : null, now);
      this.audit.record({ at: now, actor: currentActor(), action: 'tenant.add', tenantId: id, tenantSlug: slug, detail: { changed: changedFields(input) } });
    });
    write.immediate();
    return this.get(slug);
  }

  update(slug: string, input: TenantInput): TenantRecord {
    const tenant = this.get(slug);
    const changes: Partial<TenantFields> = this.validate(input);
    if (input.name !== undefined) {
      if (!input.name.trim()) throw new UserError('--name cannot be empty', 'give the business name customers know');
      changes.name = validateName(input.name);
    }
    const phoneNumberId = input.whatsappPhoneNumberId !== undefined ? validatePhoneNumberId(input.whatsappPhoneNumberId) : tenant.whatsapp?.phoneNumberId;
    const touchesWhatsapp = input.whatsappPhoneNumberId !== undefined || input.whatsappToken !== undefined || input.whatsappAppSecret !== undefined;
    if (touchesWhatsapp && !phoneNumberId) throw new UserError(`tenant "${slug}" has no WhatsApp number yet`, 'give --whatsapp-phone-number-id together with --whatsapp-token');
    if (touchesWhatsapp && !tenant.whatsapp && !input.whatsappToken) throw new UserError('--whatsapp-token is required when adding a WhatsApp number', "give the WhatsApp access token of the Meta app's system user");
    if (Object.keys(changes).length === 0 && !touchesWhatsapp) {
      throw new UserError('nothing to change', `give at least one setting, e.g. botctl tenant update ${slug} --locale en (see botctl tenant update --help)`);
    }

    const write = this.cell.db.transaction(() => {
      const now = this.clock();
      if (changes.telegramChatId !== undefined && changes.telegramChatId !== null) this.assertChatFree(changes.telegramChatId, tenant.id);
      this.tenants.update(tenant.id, changes, now);
      if (touchesWhatsapp && phoneNumberId) {
        this.assertPhoneNumberIdFree(phoneNumberId, tenant.id);
        this.tenants.upsertWhatsapp(tenant.id, {
          phoneNumberId,
          accessTokenEnc: input.whatsappToken !== undefined ? this.seal(input.whatsappToken, SECRET_CONTEXT.whatsappToken(slug)) : tenant.whatsapp!.accessTokenEnc,
          appSecretEnc: input.whatsappAppSecret !== undefined ? this.seal(input.whatsappAppSecret, SECRET_CONTEXT.whatsappAppSecret(slug)) : (tenant.whatsapp?.appSecretEnc ?? null),
        }, now);
      }
      this.audit.record({ at: now, actor: currentActor(), action: 'tenant.update', tenantId: tenant.id, tenantSlug: slug, detail: { changed: changedFields(input) } });
    });
    write.immediate();
    return this.get(slug);
  }

  setStatus(slug: string, status: 'active' | 'disabled'): TenantRecord {
    const tenant = this.get(slug);
    const write = this.cell.db.transaction(() => {
      const now = this.clock();
      this.tenants.update(tenant.id, { status }, now);
      this.audit.record({ at: now, actor: currentActor(), action: status === 'active' ? 'tenant.enable' : 'tenant.disable', tenantId: tenant.id, tenantSlug: slug, detail: { from: tenant.status } });
    });
    write.immediate();
    return this.get(slug);
  }

  /** What removing the tenant deletes, for the confirmation message. */
  removalImpact(slug: string): ReturnType<TenantStore['countOwned']> {
    return this.tenants.countOwned(this.get(slug).id);
  }

  remove(slug: string): ReturnType<TenantStore['countOwned']> {
    const tenant = this.get(slug);
    let impact!: ReturnType<TenantStore['countOwned']>;
    const write = this.cell.db.transaction(() => {
      impact = this.tenants.countOwned(tenant.id);
      this.tenants.remove(tenant.id);
      this.audit.record({ at: this.clock(), actor: currentActor(), action: 'tenant.remove', tenantId: tenant.id, tenantSlug: slug, detail: { deleted: impact, name: tenant.name } });
    });
    write.immediate();
    return impact;
  }

  /** The tenant's WhatsApp access token in plaintext, for the Graph client. */
  whatsappToken(tenant: TenantRecord): string | null {
    if (!tenant.whatsapp?.accessTokenEnc) return null;
    const token = this.cell.secrets.open(tenant.whatsapp.accessTokenEnc, SECRET_CONTEXT.whatsappToken(tenant.slug), `the WhatsApp token of tenant ${tenant.slug}`);
    registerTenantSecret(token);
    return token;
  }

  whatsappAppSecret(tenant: TenantRecord): string | null {
    if (!tenant.whatsapp?.appSecretEnc) return null;
    const secret = this.cell.secrets.open(tenant.whatsapp.appSecretEnc, SECRET_CONTEXT.whatsappAppSecret(tenant.slug), `the WhatsApp app secret of tenant ${tenant.slug}`);
    registerTenantSecret(secret);
    return secret;
  }

  private validate(input: TenantInput): Partial<TenantFields> {
    const out: Partial<TenantFields> = {};
    if (input.locale !== undefined) out.locale = validateLocale(input.locale);
    if (input.timezone !== undefined) out.timezone = validateTimezone(input.timezone);
    if (input.telegramChatId !== undefined) out.telegramChatId = validateGroupChatId(input.telegramChatId, '--telegram-chat-id');
    if (input.ownerChatId !== undefined) out.ownerChatId = validateChatId(input.ownerChatId, '--owner-chat-id');
    if (input.businessHours !== undefined) {
      const hours = validateBusinessHours(input.businessHours);
      out.businessHours = hours ? JSON.stringify(hours) : null;
    }
    if (input.remindAfter !== undefined) out.remindAfterMs = validateDuration(input.remindAfter, '--remind-after', 1000, DAY);
    if (input.remindEvery !== undefined) out.remindEveryMs = validateDuration(input.remindEvery, '--remind-every', 1000, DAY);
    if (input.remindMax !== undefined) out.remindMax = validateCount(input.remindMax, '--remind-max', 0, 20);
    if (input.replyTimeout !== undefined) out.replyTimeoutMs = validateDuration(input.replyTimeout, '--reply-timeout', 1000, DAY);
    if (input.voiceTranscription !== undefined) out.voiceTranscription = validateSwitch(input.voiceTranscription, '--voice-transcription');
    if (input.llmCallsPerHour !== undefined) out.llmCallsPerHour = validateCount(input.llmCallsPerHour, '--llm-calls-per-hour', 1, 1000);
    if (input.dashboardManagers !== undefined) out.dashboardManagers = validateSwitch(input.dashboardManagers, '--dashboard-managers');
    if (input.digest !== undefined) {
      const digest = input.digest.trim().toLowerCase();
      if (digest !== 'off' && digest !== 'daily' && digest !== 'weekly') throw new UserError(`--digest "${input.digest}" is not off, daily or weekly`, 'write --digest daily (every morning), --digest weekly (Mondays) or --digest off');
      out.digest = digest;
    }
    if (input.whatsappToken !== undefined && !input.whatsappToken.trim()) throw new UserError('--whatsapp-token is empty', "give the WhatsApp access token of the Meta app's system user");
    if (input.whatsappAppSecret !== undefined && !input.whatsappAppSecret.trim()) throw new UserError('--whatsapp-app-secret is empty', 'give the App Secret of the Meta app, or leave the flag out to use the cell default');
    return out;
  }

  private assertPhoneNumberIdFree(phoneNumberId: string, exceptTenantId: number | null): void {
    const owner = this.tenants.findByPhoneNumberId(phoneNumberId);
    if (owner && owner.id !== exceptTenantId) {
      throw new UserError(`WhatsApp phone number id ${phoneNumberId} already belongs to tenant "${owner.slug}"`, `check the id in the Meta app; if the number moved, first run: botctl tenant update ${owner.slug} --whatsapp-phone-number-id <its new id>, or remove that tenant`);
    }
  }

  /** A managers' group serves one tenant: another tenant's customers' names and phones must never land in it. */
  private assertChatFree(chatId: number, exceptTenantId: number | null): void {
    const owner = this.tenants.list().find((t) => t.telegramChatId === chatId && t.id !== exceptTenantId);
    if (owner) {
      throw new UserError(`Telegram group ${chatId} is already the managers chat of tenant "${owner.slug}"`, `give each business its own group (create one and add the bot), or move it first with: botctl tenant update ${owner.slug} --telegram-chat-id <its new group>`);
    }
  }

  private seal(value: string | undefined, context: string): Buffer | null {
    return value ? this.cell.secrets.seal(value.trim(), context) : null;
  }
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new UserError(`--name is ${trimmed.length} characters long, more than ${MAX_NAME_LENGTH}`, `give the short name customers know, e.g. --name "Smile Dental"; it heads every card and holding reply`);
  }
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new UserError('--name contains control characters (a line break, a tab…)', 'give the name on one line, e.g. --name "Smile Dental"');
  return trimmed;
}

/** Names of the settings an input changes (values are left out: some are secrets). */
function changedFields(input: TenantInput): string[] {
  return Object.entries(input).filter(([, v]) => v !== undefined).map(([k]) => k).sort();
}
