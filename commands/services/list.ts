import { Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { slugArg } from '../../src/cli/tenant-flags.js';
import { SalesAdmin } from '../../src/sales/sales-admin.js';
import { describeService } from '../../src/sales/services.js';

export default class ServicesList extends BotctlCommand {
  static override summary = "List what a tenant's customers can book.";
  static override examples = ['<%= config.bin %> services list dental-almaty --json'];
  static override args = slugArg;
  static override flags = { json: Flags.boolean({ description: 'print JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ServicesList);
    const services = new SalesAdmin(this.openCell(this.loadConfig(flags))).listServices(args.slug);
    if (flags.json) return this.printJson(services);
    if (services.length === 0) return this.log(`${args.slug} has no services: set them with botctl services set ${args.slug} --file services.json`);
    for (const s of services) this.log(describeService(s));
  }
}
