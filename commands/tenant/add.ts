import { BotctlCommand } from '../../src/cli/base-command.js';
import { channelLines, tenantLines } from '../../src/cli/print-tenant.js';
import { channelFlags, learningFlags, slugArg, tenantSettingFlags, toInstagramInput, toLearningInput, toTenantInput } from '../../src/cli/tenant-flags.js';
import { AuditStore, currentActor } from '../../src/storage/audit-store.js';
import { ChannelConnections } from '../../src/tenants/channel-connections.js';
import { applyLearningInput, hasLearningInput, learningLine, validateLearningInput } from '../../src/learning/learning-settings.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { viewTenant } from '../../src/tenants/tenant-view.js';

export default class TenantAdd extends BotctlCommand {
  static override summary = 'Add a business to this cell.';
  static override description = 'Tokens and app secrets are stored encrypted with BOTCTL_SECRET_KEY. The change is recorded in the audit log.';
  static override examples = [
    `<%= config.bin %> tenant add dental-almaty --name "Smile Dental" --timezone Asia/Almaty --locale ru \\
  --whatsapp-phone-number-id 106540352242922 --whatsapp-token "$WA_TOKEN" --telegram-chat-id -1001234567890 \\
  --business-hours "mon-fri 09:00-19:00; sat 10:00-15:00" --remind-after 5m`,
  ];
  static override args = slugArg;
  static override flags = { ...tenantSettingFlags, ...channelFlags, ...learningFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantAdd);
    const cell = this.openCell(this.loadConfig(flags));
    const learning = toLearningInput(flags);
    validateLearningInput(learning);
    const instagram = toInstagramInput(flags);
    const connections = new ChannelConnections({ db: cell.db, secrets: cell.secrets, audit: new AuditStore(cell.db) });
    const tenant = new TenantService(cell).add(args.slug, toTenantInput(flags));
    if (ChannelConnections.wantsInstagram(instagram)) connections.connectInstagram(tenant, instagram, currentActor());
    const botToken = flags['telegram-customer-bot-token'];
    if (botToken !== undefined) connections.connectTelegramBot(tenant, botToken, currentActor(), cell.config.telegramBotToken ?? null);
    if (hasLearningInput(learning)) applyLearningInput(cell, tenant.slug, learning);
    this.log(`Added tenant ${tenant.slug}.`);
    for (const line of tenantLines(viewTenant(tenant))) this.log(line);
    this.log(learningLine(cell, tenant));
    for (const line of channelLines(connections.list(tenant.id))) this.log(line);
  }
}
