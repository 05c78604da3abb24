import type { RetrievalMode } from '../brain/context.js';
import type { ChatSession } from '../conversation/chat-session.js';
import { factsMissingFromPrompt } from './facts.js';
import type { EvalSuite } from './suite.js';

export interface RetrievalResult {
  caseName: string;
  turn: number;
  said: string;
  facts: string[];
  missing: string[];
  mode: RetrievalMode;
  promptTokens: number;
  fallback: string | null;
}

export interface RetrievalFigure {
  /** Turns with an expect_fact. */
  questions: number;
  /** Of them, those whose every fact was in the prompt. */
  reached: number;
  percent: number;
  modes: Partial<Record<RetrievalMode, number>>;
  promptTokens: { mean: number; p95: number };
}

/**
 * For every turn with `expect_fact`, builds the turn's request exactly as the bot would (same context, retrieval and
 * prompt assembly) without calling the chat model, and checks the facts are in it. Earlier turns of a case are kept
 * as history (the customer's side only: no reply was generated).
 */
export async function runRetrieval(suite: EvalSuite, newSession: () => ChatSession): Promise<RetrievalResult[]> {
  const results: RetrievalResult[] = [];
  for (const testCase of suite.cases) {
    const session = newSession();
    for (const [index, turn] of testCase.turns.entries()) {
      const facts = turn.expect.expect_fact === undefined ? [] : Array.isArray(turn.expect.expect_fact) ? turn.expect.expect_fact : [turn.expect.expect_fact];
      if (facts.length > 0) {
        const prepared = await session.prepare(turn.say);
        results.push({
          caseName: testCase.name, turn: index + 1, said: turn.say, facts, missing: factsMissingFromPrompt(facts, prepared.messages),
          mode: prepared.retrieval.mode, promptTokens: prepared.promptTokens, fallback: prepared.retrieval.fallback,
        });
      }
      session.remember(turn.say);
    }
  }
  return results;
}

/** The suite's figure: how many answering facts reached the prompt, by mode, and the prompt's size. */
export function retrievalFigure(results: readonly RetrievalResult[]): RetrievalFigure {
  const reached = results.filter((r) => r.missing.length === 0).length;
  const modes: Partial<Record<RetrievalMode, number>> = {};
  for (const r of results) modes[r.mode] = (modes[r.mode] ?? 0) + 1;
  const tokens = results.map((r) => r.promptTokens).sort((a, b) => a - b);
  const mean = tokens.length ? Math.round(tokens.reduce((a, b) => a + b, 0) / tokens.length) : 0;
  const p95 = tokens.length ? tokens[Math.min(tokens.length - 1, Math.ceil(tokens.length * 0.95) - 1)]! : 0;
  return { questions: results.length, reached, percent: results.length ? Math.round((reached / results.length) * 1000) / 10 : 0, modes, promptTokens: { mean, p95 } };
}
