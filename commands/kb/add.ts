import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { KnowledgeService, type SourceChange } from '../../src/knowledge/knowledge-service.js';
import { SOURCE_FORMATS } from '../../src/knowledge/source-file.js';

export function describeChange(change: SourceChange): string {
  const what = change.status === 'unchanged' ? 'unchanged (same content), kept' : change.status;
  return `${change.name.padEnd(28)} ${change.format.padEnd(4)} ${String(change.chunks).padStart(4)} chunks  ${what}`;
}

export default class KbAdd extends BotctlCommand {
  static override summary = "Add files to a tenant's knowledge base (a file of the same name is replaced).";
  static override description = `Formats: Markdown (.md, .markdown: chunked by headings, then paragraphs), plain text (.txt: by paragraphs), CSV with a header row naming question and answer columns, JSON FAQ ([{"question": …, "answer": …}] or {"faq": […]}). Files must be UTF-8 and at most 5 MB. Every file is checked before anything is written: one broken file means none is added.`;
  static override examples = [
    '<%= config.bin %> kb add dental-almaty services.md faq.json',
    '<%= config.bin %> kb add dental-almaty prices.export --format csv',
  ];
  static override strict = false;
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    file: Args.string({ description: 'knowledge files (.md .markdown .txt .csv .json)', required: true }),
  };
  static override flags = { format: Flags.string({ description: 'read every file as this format instead of by its extension', options: [...SOURCE_FORMATS] }) };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(KbAdd);
    const files = (argv as string[]).slice(1);
    const cell = this.openCell(this.loadConfig(flags));
    const changes = new KnowledgeService(cell).addFiles(args.slug, files, { format: flags.format });
    this.log(`Knowledge of ${args.slug}:`);
    for (const change of changes) this.log(`  ${describeChange(change)}`);
  }
}
