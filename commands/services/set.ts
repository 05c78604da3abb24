import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';
import { describeService } from '../../src/sales/services.js';

export default class ServicesSet extends BotctlCommand {
  static override summary = "Set what a tenant's customers can book, from a JSON file (replaces the list).";
  static override description = 'The file is a JSON array of services: [{"name": "Чистка", "duration": "60m", "price": "15 000 ₸"}]. The bot books only these, and their prices count as knowledge.';
  static override examples = ['<%= config.bin %> services set dental-almaty --file services.json'];
  static override args = slugArg;
  static override flags = {
    file: Flags.string({ description: 'JSON file: an array of {name, duration ("60m", "1h30m"), price?}', required: true }),
    json: Flags.boolean({ description: 'print the services as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ServicesSet);
    const services = new SalesAdmin(this.openCell(this.loadConfig(flags))).setServices(args.slug, flags.file);
    if (flags.json) return this.printJson(services);
    this.log(`Set ${services.length} service${services.length === 1 ? '' : 's'} of ${args.slug}:`);
    for (const s of services) this.log(`  ${describeService(s)}`);
  }
}
