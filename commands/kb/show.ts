import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbShow extends BotctlCommand {
  static override summary = 'Show the chunks of one knowledge source, as the bot retrieves them.';
  static override examples = ['<%= config.bin %> kb show dental-almaty services.md', '<%= config.bin %> kb show dental-almaty faq.json --json'];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    source: Args.string({ description: 'source name (the file name, as kb list shows it)', required: true }),
  };
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbShow);
    const cell = this.openCell(this.loadConfig(flags));
    const { source, chunks } = new KnowledgeService(cell).show(args.slug, args.source);
    if (flags.json) {
      return this.printJson({ name: source.name, format: source.format, chunks: chunks.map(({ ordinal, heading, question, answer, text }) => ({ ordinal, heading, question, answer, text })) });
    }
    this.log(`${source.name} (${source.format}, ${chunks.length} chunks)`);
    for (const chunk of chunks) {
      this.log('');
      this.log(`#${chunk.ordinal}${chunk.heading ? `  ${chunk.heading}` : ''}`);
      this.log(chunk.question !== null ? `Q: ${chunk.question}\nA: ${chunk.answer ?? ''}` : chunk.text);
    }
  }
}
