import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { openSession } from '../src/conversation/open-session.js';
import { runSuite } from '../src/eval/run-suite.js';
import { loadSuite } from '../src/eval/suite.js';

export default class Eval extends BotctlCommand {
  static override summary = "Run scripted conversations against a tenant's bot and check the answers; exit 1 on any failure.";
  static override description = 'Expectations per turn: escalates, contains, not_contains, max_length, language. Run it before a tenant goes live and after every prompt or knowledge change.';
  static override examples = ['<%= config.bin %> eval dental-almaty templates/examples/dental-almaty/eval.yaml', '<%= config.bin %> eval dental-almaty suite.yaml --json'];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    suite: Args.string({ description: 'YAML suite file', required: true }),
  };
  static override flags = { json: Flags.boolean({ description: 'print the results as JSON' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Eval);
    const suite = loadSuite(args.suite);
    const { session } = openSession(this.openCell(this.loadConfig(flags)), args.slug);
    const results = await runSuite(suite, session);
    const failed = results.filter((r) => !r.passed);
    if (flags.json) {
      this.printJson({ suite: suite.name ?? args.suite, passed: results.length - failed.length, failed: failed.length, results });
    } else {
      const width = Math.min(60, Math.max(...results.map((r) => r.caseName.length)));
      for (const r of results) {
        this.log(`${r.passed ? 'PASS' : 'FAIL'}  ${r.caseName.slice(0, width).padEnd(width)}  #${r.turn}  ${r.escalated ? 'handover' : 'answer  '}  ${r.failures.join('; ')}`);
      }
      this.log(`${results.length - failed.length} of ${results.length} turns met their expectations${failed.length ? `; ${failed.length} did not` : ''}.`);
    }
    if (failed.length > 0) process.exitCode = 1;
  }
}
