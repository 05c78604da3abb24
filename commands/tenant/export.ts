import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { describeCounts, formatBytes } from '../../src/cli/print-transfer.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { JOB } from '../../src/conversation/job-kinds.js';
import { UserError } from '../../src/errors.js';
import { INTEGRATION_JOB } from '../../src/integrations/kinds.js';
import { SALES_JOB } from '../../src/sales/kinds.js';
import { exportTenant } from '../../src/tenants/transfer/export-tenant.js';
import { PASSPHRASE_ENV, readPassphrase } from '../../src/tenants/transfer/passphrase-source.js';

// Pending jobs whose effect would be lost with the move (the target cannot redo them: they are not carried).
const UNCARRIED_WORK = [INTEGRATION_JOB.webhookDeliver, INTEGRATION_JOB.crmSync, SALES_JOB.forgetContact];

export default class TenantExport extends BotctlCommand {
  static override summary = 'Write a tenant with its settings, prompts, knowledge, contacts, messages, handovers, bookings and integrations to one file, to import it on another cell.';
  static override description = `The file is JSON Lines (gzipped when --out ends in .gz) and holds customers' messages and phone numbers: it is written readable only by you (mode 0600). Secrets (channel tokens, webhook signing secrets, CRM credentials) are sealed with a passphrase read from --passphrase-file or ${PASSPHRASE_ENV}; without one, add --without-secrets and give them on the target with botctl tenant update and botctl integrations. Jobs and the integrations' delivery log are not exported: for a move, disable the tenant first so nothing arrives after the export. See docs/decisions/0014-tenant-moves.md.`;
  static override examples = [
    `<%= config.bin %> tenant disable dental-almaty
<%= config.bin %> tenant export dental-almaty --out /root/dental-almaty.jsonl.gz --passphrase-file /root/move-passphrase`,
    `${PASSPHRASE_ENV}="$(cat /root/move-passphrase)" <%= config.bin %> tenant export dental-almaty --out dental.jsonl.gz`,
    '<%= config.bin %> tenant export dental-almaty --out dental-no-secrets.jsonl --without-secrets',
  ];
  static override args = slugArg;
  static override flags = {
    out: Flags.string({ description: 'file to write (.jsonl, or .jsonl.gz to compress)', required: true }),
    'passphrase-file': Flags.string({ description: `file whose first line is the passphrase that seals the secrets (else ${PASSPHRASE_ENV})` }),
    'without-secrets': Flags.boolean({ description: 'leave every secret out of the file (channel tokens, webhook signing secrets, CRM credentials)' }),
    force: Flags.boolean({ description: 'replace the file if it exists' }),
    json: Flags.boolean({ description: 'print the summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantExport);
    const passphrase = readPassphrase(flags['passphrase-file']);
    if (passphrase !== null && flags['without-secrets']) {
      throw new UserError('a passphrase was given together with --without-secrets', `drop --without-secrets to carry the secrets sealed, or unset ${PASSPHRASE_ENV} and --passphrase-file`);
    }
    if (passphrase === null && !flags['without-secrets']) {
      throw new UserError(
        `the export would carry tenant ${args.slug}'s WhatsApp token, and no passphrase was given to seal it`,
        `put a passphrase of 12+ characters in a file and add --passphrase-file FILE (or set ${PASSPHRASE_ENV}), or add --without-secrets and set the token on the target with botctl tenant update`,
      );
    }
    const cell = this.openCell(this.loadConfig(flags));
    const result = exportTenant(cell, args.slug, { out: flags.out, passphrase, replace: flags.force, botctlVersion: this.config.version });
    if (flags.json) {
      return this.printJson({ file: result.file, bytes: result.bytes, sha256: result.sha256, gzip: result.gzip, mode: '0600', tenant: args.slug, tenantStatus: result.tenantStatus, secrets: result.header.secrets.mode, counts: result.header.counts, openHandovers: result.openHandovers, unfinishedJobs: result.unfinishedJobs, brokenCrm: result.brokenCrm, formatVersion: result.header.format_version });
    }
    this.log(`Exported tenant ${args.slug} to ${result.file} (${formatBytes(result.bytes)}${result.gzip ? ', gzip' : ''}, format version ${result.header.format_version}).`);
    this.log(`  ${describeCounts(result.header.counts, result.openHandovers)}.`);
    this.log(`  sha256 ${result.sha256}: compare it on the target cell before importing.`);
    this.log("The file holds customers' messages and phone numbers: only you can read it (mode 0600). Copy it over an encrypted channel (scp), and delete it once imported.");
    this.log(result.header.secrets.mode === 'passphrase'
      ? 'Secrets are sealed with your passphrase: give the same one to botctl tenant import.'
      : `Secrets are not in the file: on the target, set them with botctl tenant update ${args.slug} --whatsapp-token … after the import.`);
    if (result.tenantStatus === 'active') {
      process.stderr.write(`Warning: tenant ${args.slug} is still active on this cell: messages that arrive after this export stay here. For a move, run botctl tenant disable ${args.slug} and export again.\n`);
    }
    const customerJobs = (result.unfinishedJobs[JOB.handleInbound] ?? 0) + (result.unfinishedJobs[JOB.deliverMessage] ?? 0);
    if (customerJobs > 0) {
      process.stderr.write(`Warning: ${customerJobs} jobs answering or sending messages to customers of tenant ${args.slug} are still pending here, and jobs are not exported: wait until botctl jobs list --tenant ${args.slug} --state pending shows none of them, then export again.\n`);
    }
    const lost = UNCARRIED_WORK.reduce((n, kind) => n + (result.unfinishedJobs[kind] ?? 0), 0);
    if (lost > 0) {
      process.stderr.write(`Warning: ${lost} webhook deliveries, CRM syncs or "forget me" requests of tenant ${args.slug} are still pending here, and jobs are not exported: wait until botctl jobs list --tenant ${args.slug} --state pending shows none of them, then export again.\n`);
    }
    for (const provider of result.brokenCrm) {
      process.stderr.write(`Warning: the ${provider} connection of ${args.slug} is broken, and the events it holds stay on this cell: set a working credential here first (botctl integrations ${provider} ${args.slug} …) so they reach the CRM, then export again.\n`);
    }
    this.log(`Next, on the target cell: botctl tenant import ${result.file} --passphrase-file …`);
  }
}
