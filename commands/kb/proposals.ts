import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { UserError } from '../../src/errors.js';
import { LearningAdmin, type LearnedView } from '../../src/learning/learning-admin.js';

export default class KbProposals extends BotctlCommand {
  static override summary = 'List the entries waiting for a decision (proposed by the bot, or saved by a manager under --learning approve); approve or reject one.';
  static override description = 'Nothing proposed answers customers until a person approves it, here or with the buttons of the daily digest in the managers group.';
  static override examples = [
    '<%= config.bin %> kb proposals dental-almaty',
    '<%= config.bin %> kb proposals dental-almaty approve 12',
    '<%= config.bin %> kb proposals dental-almaty reject 13 --json',
  ];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    action: Args.string({ description: 'approve or reject (without it: list)', options: ['approve', 'reject'] }),
    id: Args.integer({ description: 'the entry id, as the list shows it' }),
  };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbProposals);
    const admin = new LearningAdmin(this.openCell(this.loadConfig(flags)));
    if (args.action) {
      if (args.id === undefined) throw new UserError(`${args.action} needs the entry id`, `see the ids with: botctl kb proposals ${args.slug}`);
      const entry = args.action === 'approve' ? admin.approve(args.slug, args.id) : admin.reject(args.slug, args.id);
      if (flags.json) return this.printJson(entry);
      return this.log(args.action === 'approve' ? `Approved entry ${entry.id}: the bot answers with it from now on (botctl kb learned ${args.slug}).` : `Rejected entry ${entry.id}.`);
    }
    const entries = admin.proposals(args.slug);
    if (flags.json) return this.printJson(entries);
    if (entries.length === 0) return this.log(`Nothing waits for a decision in ${args.slug}.`);
    for (const e of entries) this.print(e, args.slug);
  }

  private print(e: LearnedView, slug: string): void {
    this.log(`${e.id}  ${e.status === 'pending' ? `saved by ${e.taughtBy}, waits for the approver` : 'proposed by the bot'}${e.request !== null ? ` from request №${e.request}` : ''}`);
    this.log(`    Q: ${e.question}`);
    this.log(`    A: ${e.answer}`);
    if (e.updates) this.log(`    updates ${e.updates.entry}, which says: ${e.updates.answer}`);
    this.log(`    botctl kb proposals ${slug} approve ${e.id}   |   botctl kb proposals ${slug} reject ${e.id}`);
  }
}
