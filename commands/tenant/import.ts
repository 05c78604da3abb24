import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { describeCounts } from '../../src/cli/print-transfer.js';
import { importTenant } from '../../src/tenants/transfer/import-tenant.js';
import { PASSPHRASE_ENV, readPassphrase } from '../../src/tenants/transfer/passphrase-source.js';

export default class TenantImport extends BotctlCommand {
  static override summary = 'Add a tenant to this cell from a file written by botctl tenant export on another cell.';
  static override description = `All or nothing: the whole file is checked first (format version, every line, counts), then one transaction refuses a slug or WhatsApp phone number id already on this cell, writes everything with this cell's ids, seals the secrets with this cell's key, and queues a new Telegram card for each open handover. Nothing is written when anything is wrong. The passphrase comes from --passphrase-file or ${PASSPHRASE_ENV}.`;
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
    for (const account of result.withoutSecrets) {
      process.stderr.write(`Warning: ${account} arrived without its token: set it with botctl tenant update ${result.tenant} --whatsapp-token … before pointing the webhook here.\n`);
    }
    if (result.status === 'disabled') {
      this.log(`Tenant ${result.tenant} arrived disabled, as it was on the source: serve it with botctl tenant enable ${result.tenant}.`);
    }
    this.log(`Next: point the WhatsApp webhook of phone number id ${result.phoneNumberIds.join(', ') || '-'} at this cell (BOTCTL_PUBLIC_URL/webhooks/whatsapp), check with botctl tenant show ${result.tenant}, then on the source cell run botctl tenant remove ${result.tenant} --yes.`);
  }
}
