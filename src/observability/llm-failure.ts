import type { LlmFailure } from '../brain/llm.js';

/**
 * The trace keeps an LLM call's error as text (detail.error, written from LlmError.message in
 * src/brain/openai-llm.ts), not its class. This reads the class back from that text, for the metrics label and
 * for the hint `botctl trace` prints. Keep the patterns in step with `toLlmError`.
 */
const PATTERNS: ReadonlyArray<[RegExp, LlmFailure]> = [
  [/did not answer in time|timed out|timeout/i, 'timeout'],
  [/\(429\)|rate-limit/i, 'rate_limited'],
  [/refused our key|\((401|403)\)/i, 'auth'],
  [/rejected the request/i, 'bad_request'],
  [/failed \((5\d\d|408|409)\)|without a choice/i, 'server'],
  [/could not be reached|call failed|ECONNREFUSED|ENOTFOUND|fetch failed/i, 'network'],
];

export function llmFailureOf(error: unknown): LlmFailure | 'unknown' {
  const text = typeof error === 'string' ? error : '';
  return PATTERNS.find(([pattern]) => pattern.test(text))?.[1] ?? 'unknown';
}

export const LLM_HINTS: Record<LlmFailure | 'unknown', string> = {
  timeout: 'the LLM did not answer within --llm-timeout-ms: check the provider\'s status page, or raise the timeout on botctl worker',
  rate_limited: 'the provider rate-limits this key: raise the account\'s limits or use another key (OPENAI_API_KEY)',
  server: 'the provider failed (5xx): it usually recovers by itself; check its status page if it lasts',
  network: 'the worker cannot reach OPENAI_BASE_URL: check DNS, the firewall and the URL (botctl config check)',
  auth: 'the provider refused the key: set a valid OPENAI_API_KEY and restart (botctl config check)',
  bad_request: 'the provider refused the request: check BOTCTL_LLM_MODEL and OPENAI_BASE_URL (botctl config check)',
  unknown: 'see the error text; botctl logs --trace <trace id> shows the worker\'s lines around it',
};
