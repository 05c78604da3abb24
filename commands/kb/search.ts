import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { TenantService } from '../../src/tenants/tenant-service.js';
import { DEFAULT_SEARCH_LIMIT, KnowledgeService } from '../../src/knowledge/knowledge-service.js';

export default class KbSearch extends BotctlCommand {
  static override summary = "Search a tenant's knowledge base the way the bot does for a customer's message.";
  static override description = 'Matches word forms (чистка, чистку, чистки), ё as е and Kazakh letters with or without their marks (қызмет, кызмет). Prints the rank, the score (higher is better), the source, the heading and an excerpt with the matched words in [brackets].';
  static override examples = [
    '<%= config.bin %> kb search dental-almaty "сколько стоит чистка зубов"',
    '<%= config.bin %> kb search dental-almaty "where are you" --limit 3 --json',
  ];
  static override args = {
    slug: Args.string({ description: 'tenant slug, e.g. dental-almaty', required: true }),
    query: Args.string({ description: "the customer's words", required: true }),
  };
  static override flags = {
    limit: Flags.integer({ description: `most results to print (default ${DEFAULT_SEARCH_LIMIT}, at most 50)`, min: 1, max: 50, default: DEFAULT_SEARCH_LIMIT }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KbSearch);
    const cell = this.openCell(this.loadConfig(flags));
    const tenant = new TenantService(cell).get(args.slug);
    const hits = new KnowledgeService(cell).search(tenant.id, args.query, { limit: flags.limit });
    if (flags.json) return this.printJson(hits.map((hit, i) => ({ rank: i + 1, ...hit })));
    if (hits.length === 0) return this.log(`Nothing in the knowledge of ${args.slug} matches "${args.query}". The bot would hand this question to a manager.`);
    hits.forEach((hit, i) => {
      this.log(`${String(i + 1).padStart(2)}. score ${hit.score.toPrecision(3)}  ${hit.sourceName}${hit.heading ? `  ${hit.heading}` : ''}`);
      this.log(`    ${hit.snippet}`);
    });
  }
}
