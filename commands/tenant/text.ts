import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../../src/cli/base-command.js';
import { TextOverridesService } from '../../src/tenants/text-overrides.js';

export default class TenantText extends BotctlCommand {
  static override summary = "Show or change a tenant's wording of the texts customers receive (greeting, holding reply, …).";
  static override description = 'Without a key, lists every text of the locale (* marks the tenant\'s own). Placeholders such as {manager} are filled in when sent.';
  static override examples = [
    '<%= config.bin %> tenant text dental-almaty ru',
    '<%= config.bin %> tenant text dental-almaty ru manager_greeting "Здравствуйте! Я {manager}, администратор клиники."',
    '<%= config.bin %> tenant text dental-almaty ru manager_greeting --reset',
  ];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    locale: Args.string({ description: 'ru, kk or en', required: true }),
    key: Args.string({ description: 'which text, e.g. manager_greeting' }),
    text: Args.string({ description: 'the new wording' }),
  };
  static override flags = {
    reset: Flags.boolean({ description: 'go back to the default wording' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TenantText);
    const service = new TextOverridesService(this.openCell(this.loadConfig(flags)));
    if (args.key && (args.text !== undefined || flags.reset)) {
      service.set(args.slug, args.locale, args.key, flags.reset ? null : args.text!);
      this.log(flags.reset ? `${args.key} (${args.locale}) of ${args.slug} is back to the default.` : `Set ${args.key} (${args.locale}) of ${args.slug}.`);
      return;
    }
    const texts = service.list(args.slug, args.locale).filter((t) => !args.key || t.key === args.key);
    if (flags.json) return this.printJson(texts);
    for (const t of texts) this.log(`${t.own ? '*' : ' '} ${t.key.padEnd(26)} ${t.text}`);
  }
}
