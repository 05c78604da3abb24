import { createInterface } from 'node:readline/promises';
import { Args, Flags } from '@oclif/core';
import { BotctlCommand } from '../src/cli/base-command.js';
import type { TurnOutcome } from '../src/conversation/chat-session.js';
import { openSession } from '../src/conversation/open-session.js';

export default class Chat extends BotctlCommand {
  static override summary = "Talk to a tenant's bot as a customer would, with the same knowledge, brain and guardrails.";
  static override description = 'Prints the answer, or the handover and why; each guardrail verdict with --verbose. Nothing is stored or sent.';
  static override examples = [
    '<%= config.bin %> chat dental-almaty',
    '<%= config.bin %> chat dental-almaty --message "Сколько стоит чистка зубов?" --verbose',
  ];
  static override args = { slug: Args.string({ description: 'tenant slug', required: true }) };
  static override flags = {
    message: Flags.string({ char: 'm', description: 'one message; print the answer and exit' }),
    verbose: Flags.boolean({ char: 'v', description: 'show knowledge found and guardrail verdicts' }),
    json: Flags.boolean({ description: 'print each turn as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Chat);
    const { session: newSession, llmModel } = openSession(this.openCell(this.loadConfig(flags)), args.slug);
    const session = newSession();
    if (flags.message !== undefined) return this.show(await session.say(flags.message), flags);
    this.log(`Talking to ${args.slug} (${llmModel ? `LLM ${llmModel}` : 'no LLM: exact FAQ answers only'}). Empty line or Ctrl-D ends.`);
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    try {
      for (;;) {
        const line = await rl.question('you> ').catch(() => '');
        if (!line.trim()) break;
        this.show(await session.say(line.trim()), flags);
      }
    } finally {
      rl.close();
    }
  }

  private show(outcome: TurnOutcome, flags: { verbose: boolean; json: boolean }): void {
    if (flags.json) return this.printJson({ ...outcome, messages: undefined });
    const d = outcome.decision;
    this.log(`bot> ${outcome.customerSees}`);
    if (d.kind === 'escalate') this.log(`  → handed to a manager (${d.cause}): ${d.reason}`);
    if (flags.verbose) {
      this.log(`  language ${outcome.language}; knowledge: ${outcome.retrieval.mode === 'whole' ? `all ${outcome.snippets.length} chunks of ${[...new Set(outcome.retrieval.snippets.map((s) => s.sourceName))].join(', ') || 'none'}` : outcome.snippets.join('; ') || 'none'} (${outcome.retrieval.mode}, ${outcome.promptTokens} prompt tokens)`);
      if (outcome.retrieval.fallback) this.log(`  ! embeddings unavailable, answered from words alone: ${outcome.retrieval.fallback}`);
      for (const v of d.verdicts) this.log(`  ${v.ok ? '✓' : '✗'} ${v.check}${v.detail ? `: ${v.detail}` : ''}`);
      for (const c of d.llmCalls) this.log(`  llm ${c.outcome} in ${c.durationMs} ms${c.error ? `: ${c.error}` : ''}`);
    }
  }
}
