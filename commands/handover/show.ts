import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { HandoverAdmin } from '../../src/desk/handover-admin.js';

export default class HandoverShow extends BotctlCommand {
  static override summary = 'Show one request: who has it, its timings, and every change of hands.';
  static override examples = ['<%= config.bin %> handover show dental-almaty 12'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    number: Args.integer({ description: 'request number (as on the card)', required: true }),
  };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HandoverShow);
    const { handover: h, events } = new HandoverAdmin(this.openCell(this.loadConfig(flags))).show(args.slug, args.number);
    if (flags.json) return this.printJson({ handover: h, events });
    const time = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
    this.log(`request №${h.number} of ${args.slug}: ${h.status}; customer ${h.customerName ?? ''} +${h.customerPhone}`);
    this.log(`  reason: ${h.reason}${h.summary ? `; summary: ${h.summary}` : ''}`);
    this.log(`  created ${time(h.createdAt)}, taken ${time(h.takenAt)} by ${h.assignedToName ?? '-'}, first answer ${time(h.firstResponseAt)}, resolved ${time(h.resolvedAt)} by ${h.resolvedByName ?? '-'}`);
    this.log(`  card: chat ${h.chatId ?? '-'}, message ${h.cardMessageId ?? 'not posted'}${h.threadId !== null ? `, topic ${h.threadId}` : ''}; reminders sent ${h.remindersSent}`);
    for (const e of events) this.log(`  ${time(e.at)}  ${e.event.padEnd(10)} ${e.fromState} → ${e.toState}  by ${e.actorKind}${e.actorName ? ` ${e.actorName}` : ''}${e.reason ? ` (${e.reason})` : ''}`);
  }
}
