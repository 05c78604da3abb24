import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbList extends BotctlCommand {
  static override summary = "List the sources of a tenant's knowledge base with their chunk counts.";
  static override examples = ['<%= config.bin %> kb list dental-almaty', '<%= config.bin %> kb list dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbList);
    const cell = this.openCell(this.loadConfig(flags));
    const sources = new KnowledgeService(cell).list(args.slug).map(({ name, format, chunkCount, checksum, createdAt, updatedAt }) => ({
      name, format, chunks: chunkCount, checksum, createdAt: new Date(createdAt).toISOString(), updatedAt: new Date(updatedAt).toISOString(),
    }));
    if (flags.json) return this.printJson(sources);
    if (sources.length === 0) return this.log(`${args.slug} has no knowledge yet. Add files with: botctl kb add ${args.slug} <file…>`);
    for (const s of sources) this.log(`${s.name.padEnd(28)} ${s.format.padEnd(4)} ${String(s.chunks).padStart(4)} chunks  updated ${s.updatedAt}`);
  }
}
