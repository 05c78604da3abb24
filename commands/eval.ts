import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import { openSession } from '../src/conversation/open-session.js';
import { retrievalFigure, runRetrieval, type RetrievalFigure, type RetrievalResult } from '../src/eval/run-retrieval.js';
import { runSuite } from '../src/eval/run-suite.js';
import { loadSuite } from '../src/eval/suite.js';

export default class Eval extends BotctlCommand {
  static override summary = "Run scripted conversations against a tenant's bot and check the answers; exit 1 on any failure.";
  static override description = `Expectations per turn: escalates, contains, not_contains, max_length, language, expect_fact (the fact must reach the model and, with a model, the reply).
With --retrieval the chat model is not called: for every turn with expect_fact it prints whether the fact reached the prompt, and the figure (exit 1 below --min). Beyond the knowledge budget with embeddings configured, it prints the figure for words alone (lexical + fuzzy) and for hybrid retrieval.`;
  static override examples = [
    '<%= config.bin %> eval dental-almaty templates/examples/dental-almaty/eval.yaml',
    '<%= config.bin %> eval dental-almaty templates/examples/dental-almaty/paraphrases.yaml --retrieval',
    '<%= config.bin %> eval dental-almaty suite.yaml --json',
  ];
  static override args = {
    slug: Args.string({ description: 'tenant slug', required: true }),
    suite: Args.string({ description: 'YAML suite file', required: true }),
  };
  static override flags = {
    json: Flags.boolean({ description: 'print the results as JSON' }),
    retrieval: Flags.boolean({ description: 'do not call the chat model: report for how many questions the answering fact (expect_fact) reached the prompt' }),
    min: Flags.integer({ description: 'with --retrieval: the lowest acceptable figure in percent (exit 1 below it)', default: 95, min: 0, max: 100 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Eval);
    const suite = loadSuite(args.suite);
    const cell = this.openCell(this.loadConfig(flags));
    if (flags.retrieval) return this.retrieval(cell, args.slug, suite, flags);
    const { session } = openSession(cell, args.slug);
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

  private async retrieval(cell: ReturnType<BotctlCommand['openCell']>, slug: string, suite: ReturnType<typeof loadSuite>, flags: { json: boolean; min: number }): Promise<void> {
    const opened = openSession(cell, slug);
    const results = await runRetrieval(suite, opened.session);
    if (results.length === 0) this.error(`${suite.name ?? 'the suite'} has no turn with expect_fact`, { exit: 1, suggestions: ['add expect: { expect_fact: "9:00" } to the questions whose answering fact you want measured'] });
    const figure = retrievalFigure(results);
    // Beyond the budget with embeddings, the same questions by words alone show what the meaning ranking adds.
    const retrieved = results.some((r) => r.mode === 'hybrid' || r.mode === 'lexical_fallback');
    const lexical = retrieved ? retrievalFigure(await runRetrieval(suite, openSession(cell, slug, { embeddings: false }).session)) : null;
    const stats = opened.knowledge.stats(opened.tenantId);
    if (flags.json) {
      this.printJson({ suite: suite.name ?? null, knowledge: stats, figure, lexical, results });
    } else {
      const width = Math.min(50, Math.max(...results.map((r) => r.said.length)));
      for (const r of results) this.log(`${r.missing.length === 0 ? 'REACHED' : 'MISSED '}  ${r.mode.padEnd(16)}  ${r.said.slice(0, width).padEnd(width)}  ${r.missing.length ? `missing ${r.missing.map((f) => `"${f}"`).join(', ')}` : ''}${r.fallback ? `  (embeddings: ${r.fallback})` : ''}`.trimEnd());
      this.log(`knowledge: ${stats.chunks} chunks, ${stats.tokens} tokens, budget ${stats.budgetTokens} (${stats.budgetSource}); embeddings ${stats.embeddingModel ? `${stats.embedded}/${stats.chunks} by ${stats.embeddingModel}` : 'not configured'}`);
      if (lexical) this.log(line('lexical + fuzzy', lexical));
      this.log(line(retrieved ? 'hybrid' : describeModes(results), figure));
    }
    if (figure.percent < flags.min) process.exitCode = 1;
  }
}

function describeModes(results: readonly RetrievalResult[]): string {
  return [...new Set(results.map((r) => r.mode))].join('/');
}

function line(label: string, f: RetrievalFigure): string {
  return `${label}: the answering fact reached the model for ${f.reached} of ${f.questions} questions (${f.percent}%); prompt tokens mean ${f.promptTokens.mean}, p95 ${f.promptTokens.p95}`;
}
