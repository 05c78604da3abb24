import type { ChatSession, TurnOutcome } from '../conversation/chat-session.js';
import { factsMissingFromPrompt, factsMissingFromReply } from './facts.js';
import type { EvalExpectation, EvalSuite } from './suite.js';

export interface TurnResult {
  caseName: string;
  turn: number;
  said: string;
  passed: boolean;
  failures: string[];
  escalated: boolean;
  reason: string | null;
  reply: string;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** What an outcome broke of an expectation, one sentence per failure. */
export function checkExpectation(outcome: TurnOutcome, expect: EvalExpectation): string[] {
  const failures: string[] = [];
  const escalated = outcome.decision.kind === 'escalate';
  const text = outcome.customerSees;
  const lower = text.toLowerCase();
  if (expect.escalates !== undefined && expect.escalates !== escalated) {
    failures.push(expect.escalates ? 'expected a handover, but the bot answered' : `expected an answer, but it handed over: ${outcome.decision.kind === 'escalate' ? outcome.decision.reason : ''}`);
  }
  for (const needle of list(expect.contains)) if (!lower.includes(needle.toLowerCase())) failures.push(`reply does not contain "${needle}"`);
  for (const needle of list(expect.not_contains)) if (lower.includes(needle.toLowerCase())) failures.push(`reply contains "${needle}"`);
  if (expect.max_length !== undefined && text.length > expect.max_length) failures.push(`reply is ${text.length} characters, over ${expect.max_length}`);
  if (expect.language !== undefined && outcome.language !== expect.language) failures.push(`language is ${outcome.language}, expected ${expect.language}`);
  const facts = list(expect.expect_fact);
  for (const fact of factsMissingFromPrompt(facts, outcome.messages)) failures.push(`the fact "${fact}" did not reach the model (${outcome.retrieval.mode} knowledge)`);
  // With a model the fact must also reach the customer; without one only an exact FAQ answer can state it.
  if (outcome.decision.llmCalls.length > 0) for (const fact of factsMissingFromReply(facts, text)) failures.push(`reply does not state the fact "${fact}"`);
  return failures;
}

/** Runs every case in a fresh session and checks every turn. */
export async function runSuite(suite: EvalSuite, newSession: () => ChatSession): Promise<TurnResult[]> {
  const results: TurnResult[] = [];
  for (const testCase of suite.cases) {
    const session = newSession();
    for (const [index, turn] of testCase.turns.entries()) {
      const outcome = await session.say(turn.say);
      const failures = checkExpectation(outcome, turn.expect);
      results.push({
        caseName: testCase.name, turn: index + 1, said: turn.say, passed: failures.length === 0, failures,
        escalated: outcome.decision.kind === 'escalate', reason: outcome.decision.kind === 'escalate' ? outcome.decision.reason : null, reply: outcome.customerSees,
      });
    }
  }
  return results;
}
