import { BotctlCommand } from '../../src/cli/base-command.js';
import { channelLines, tenantLines } from '../../src/cli/print-tenant.js';
import { channelFlags, learningFlags, slugArg, tenantSettingFlags, toInstagramInput, toLearningInput, toTenantInput } from '../../src/cli/tenant-flags.js';
import { AuditStore, currentActor } from '../../src/storage/audit-store.js';
import { ChannelConnections } from '../../src/tenants/channel-connections.js';
import { applyLearningInput, hasLearningInput, learningLine, validateLearningInput } from '../../src/learning/learning-settings.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { viewTenant } from '../../src/tenants/tenant-view.js';

export default class TenantUpdate extends BotctlCommand {
  static override summary = "Change a tenant's settings; only the flags given change.";
  static override examples = [
    '<%= config.bin %> tenant update dental-almaty --locale kk --remind-after 3m',
    '<%= config.bin %> tenant update dental-almaty --whatsapp-token "$NEW_WA_TOKEN"',
    '<%= config.bin %> tenant update dental-almaty --learning approve --learning-approver 123456789',
    '<%= config.bin %> tenant update dental-almaty --instagram-account-id 17841400000000000 --instagram-token "$IG_TOKEN"',
    '<%= config.bin %> tenant update dental-almaty --telegram-customer-bot-token "$CUSTOMER_BOT_TOKEN"',
  ];
  static override args = slugArg;
  static override flags = { ...tenantSettingFlags, ...channelFlags, ...learningFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantUpdate);
    const cell = this.openCell(this.loadConfig(flags));
    const learning = toLearningInput(flags);
    const service = new TenantService(cell);
    validateLearningInput(learning);
    const settings = toTenantInput(flags);
    // Only learning flags: the tenant's own settings are left alone (TenantService.update refuses "nothing to change").
    const instagram = toInstagramInput(flags);
    const connections = new ChannelConnections({ db: cell.db, secrets: cell.secrets, audit: new AuditStore(cell.db) });
    // Only learning or channel flags: the tenant's own settings are left alone (TenantService.update refuses "nothing to change").
    const onlyOthers = (hasLearningInput(learning) || ChannelConnections.wantsInstagram(instagram) || flags['telegram-customer-bot-token'] !== undefined) && Object.values(settings).every((v) => v === undefined);
    const tenant = onlyOthers ? service.get(args.slug) : service.update(args.slug, settings);
    if (ChannelConnections.wantsInstagram(instagram)) connections.connectInstagram(tenant, instagram, currentActor());
    const botToken = flags['telegram-customer-bot-token'];
    if (botToken !== undefined) connections.connectTelegramBot(tenant, botToken, currentActor(), cell.config.telegramBotToken ?? null);
    if (hasLearningInput(learning)) applyLearningInput(cell, tenant.slug, learning);
    this.log(`Updated tenant ${tenant.slug}.`);
    for (const line of tenantLines(viewTenant(tenant))) this.log(line);
    this.log(learningLine(cell, tenant));
    for (const line of channelLines(connections.list(tenant.id))) this.log(line);
  }
}
