import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { describeCounts } from '../../src/cli/print-transfer.js';
import { importTenant } from '../../src/tenants/transfer/import-tenant.js';
import { PASSPHRASE_ENV, readPassphrase } from '../../src/tenants/transfer/passphrase-source.js';

export default class TenantImport extends BotctlCommand {
  static override summary = 'Add a tenant to this cell from a file written by botctl tenant export on another cell.';
  static override description = `All or nothing: the whole file is checked first (format version, every line, counts), then one transaction refuses a slug or a channel account (WhatsApp number, Instagram account, Telegram customer bot) already on this cell, writes everything with this cell's ids, seals the secrets (channel tokens, webhook signing secrets, CRM credentials) with this cell's key, and queues a new Telegram card for each open handover and each booking waiting for a decision, and a job for each customer reminder not sent yet. Nothing is written when anything is wrong. The passphrase comes from --passphrase-file or ${PASSPHRASE_ENV}.`;
  static override examples = [
    '<%= config.bin %> tenant import /root/dental-almaty.jsonl.gz --passphrase-file /root/move-passphrase',
    '<%= config.bin %> tenant import /root/dental-almaty.jsonl.gz --passphrase-file /root/move-passphrase --dry-run',
  ];
  static override args = { file: Args.string({ description: 'the file botctl tenant export wrote (.jsonl or .jsonl.gz)', required: true }) };
  static override flags = {
    'passphrase-file': Flags.string({ description: `file whose first line is the passphrase the secrets were sealed with (else ${PASSPHRASE_ENV})` }),
    'dry-run': Flags.boolean({ description: 'check the file and that this cell can take it, then write nothing' }),
    json: Flags.boolean({ description: 'print the summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantImport);
    const passphrase = readPassphrase(flags['passphrase-file']);
    const cell = this.openCell(this.loadConfig(flags));
    const result = importTenant(cell, args.file, { passphrase, dryRun: flags['dry-run'] });
    if (flags.json) return this.printJson(result);
    const from = `cell ${result.source.id} (${result.source.hostname}), exported ${new Date(result.exportedAt).toISOString()}`;
    if (result.dryRun) {
      this.log(`Tenant ${result.tenant} can be imported from ${from}: ${describeCounts(result.counts, result.cardsQueued)}. Nothing was written (--dry-run).`);
      return;
    }
    this.log(`Imported tenant ${result.tenant} from ${from}.`);
    this.log(`  ${describeCounts(result.counts, result.cardsQueued)}.`);
    if (result.cardsQueued > 0) {
      this.log(`${result.cardsQueued} open handovers arrived as they were; the worker posts a new card for each in the managers chat (the old cards belong to the source cell's bot).`);
    }
    if (result.bookingCardsQueued > 0) this.log(`Bookings waiting for a decision: ${result.bookingCardsQueued}; the worker posts a new card for each in the managers chat.`);
    if (result.remindersQueued > 0) {
      this.log(`Customer reminders of confirmed bookings queued here at their times: ${result.remindersQueued}. Remove the tenant on the source right after this import, or a reminder due meanwhile goes out from both cells.`);
    }
    for (const missing of result.withoutSecrets) {
      process.stderr.write(`Warning: ${missing.subject} arrived without its ${missing.secret}: ${missing.fix}.\n`);
    }
    if (result.status === 'disabled') {
      this.log(`Tenant ${result.tenant} arrived disabled, as it was on the source: serve it with botctl tenant enable ${result.tenant}.`);
    }
    const ids = (channel: string) => result.accounts.filter((a) => a.channel === channel).map((a) => a.externalId);
    const instagram = ids('instagram').length > 0 ? `, the Instagram webhook of account ${ids('instagram').join(', ')} (BOTCTL_PUBLIC_URL/webhooks/instagram)` : '';
    this.log(`Next: point the WhatsApp webhook of phone number id ${result.phoneNumberIds.join(', ') || '-'}${instagram} at this cell (BOTCTL_PUBLIC_URL/webhooks/whatsapp), check with botctl tenant show ${result.tenant}, then on the source cell run botctl tenant remove ${result.tenant} --yes.`);
    if (ids('telegram').length > 0) {
      this.log(`The worker of this cell connects the Telegram customer bot ${ids('telegram').join(', ')} itself (its webhook or long polling moves here from the source).`);
    }
  }
}
