import type { Facts } from './facts.js';
import type { Finding, Limits, Rule } from './rule.js';
import { INTEGRATION_RULES } from './rules-integrations.js';
import { TENANT_RULES } from './rules-tenants.js';
import { WORKER_RULES } from './rules-worker.js';

export const RULES: readonly Rule[] = [...WORKER_RULES, ...TENANT_RULES, ...INTEGRATION_RULES];

export interface Evaluation {
  rule: Rule;
  findings: Finding[] | null;
}

/** Every rule over one snapshot; a rule that throws is a bug, reported as unknown rather than stopping watch. */
export function evaluateRules(facts: Facts, limits: Limits, rules: readonly Rule[] = RULES): Evaluation[] {
  return rules.map((rule) => {
    try {
      return { rule, findings: rule.evaluate(facts, limits) };
    } catch {
      return { rule, findings: null };
    }
  });
}
