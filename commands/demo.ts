import { Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { UserError } from '../src/errors.js';
import { startDemo } from '../src/demo/start-demo.js';

export default class Demo extends BotctlCommand {
  static override summary = 'Run a whole demo cell with simulated WhatsApp, Instagram and Telegram, and print the console URL.';
  static override description = [
    'Starts the real worker on its own folder with a seeded example business (Smile Dental, a dental clinic in Almaty: settings, prompt in Russian, knowledge base in ru/en/kk),',
    'its WhatsApp number, Instagram account and own customer bot on Telegram, local simulators of the WhatsApp Cloud API, the Instagram Graph API and the Telegram Bot API,',
    'and a web console: write as a customer on the left (pick WhatsApp, Instagram or Telegram), act as one of two managers in the Telegram group on the right.',
    'The LLM is the one OPENAI_API_KEY (and OPENAI_BASE_URL, BOTCTL_LLM_MODEL) gives; without a key the bot answers exact FAQ matches only and hands everything else to the managers.',
    'Nothing reaches the real WhatsApp, Instagram or Telegram, and no env file of the machine is read. Ctrl-C stops everything and removes the temporary folder (unless --keep).',
  ].join(' ');

  static override examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --port 0 --keep',
    'OPENAI_API_KEY=sk-… <%= config.bin %> demo --host 0.0.0.0 --port 8090',
  ];

  static override flags = {
    // Refused in run(): the demo writes its own env file, and reading the machine's would point it at a production cell.
    'env-file': Flags.string({ hidden: true }),
    port: Flags.integer({ description: 'HTTP port of the worker and the console; 0 picks a free one', default: 8080, min: 0, max: 65_535 }),
    host: Flags.string({ description: 'listen address (0.0.0.0 lets other devices, e.g. a phone, open the console)', default: '127.0.0.1' }),
    'data-dir': Flags.string({ description: 'folder for the demo cell (env file, database, log); default: a new temporary folder. A given folder is kept, and running again on it continues with its database' }),
    'remind-after': Flags.string({ description: 'how long an untaken request waits before the managers are reminded, and again (the demo tenant is created with it)', default: '1m' }),
    keep: Flags.boolean({ description: 'keep the temporary folder when the demo stops (to look at it with botctl … --env-file <folder>/botctl.env)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    if (flags['env-file']) throw new UserError('botctl demo reads no env file', 'leave out --env-file; the demo writes its own into --data-dir');
    const demo = await startDemo({ host: flags.host, port: flags.port, dataDir: flags['data-dir'], keep: flags.keep, remindAfter: flags['remind-after'], env: process.env });
    this.log('botctl demo: Smile Dental, a dental clinic in Almaty, on simulated WhatsApp, Instagram and Telegram with its managers in a simulated Telegram group.');
    this.log(`  ${demo.llm.detail.charAt(0).toUpperCase()}${demo.llm.detail.slice(1)}.`);
    this.log(`  cell: ${demo.dataDir} (${demo.removesDataDir ? 'removed when the demo stops; --keep keeps it' : 'kept when the demo stops'})`);
    this.log(`  log:  ${demo.logFile}`);
    this.log('');
    this.log(`  Open ${demo.url}`);
    this.log('');
    this.log('Ctrl-C stops it.');

    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          // A second Ctrl-C means now: leave without waiting for the drain.
          process.exit(130);
        }
        stopping = true;
        this.log(`\n${signal}: stopping…`);
        void demo.stop().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    this.log(demo.removesDataDir ? `Stopped; removed ${demo.dataDir}.` : `Stopped; the cell is in ${demo.dataDir} (botctl jobs list --env-file ${demo.envFile}).`);
  }
}
