import { describe, expect, test } from 'vitest';
import { emptyFacts } from '../../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS } from '../../../../src/ops/watch/rule.js';
import { INTEGRATION_RULES } from '../../../../src/ops/watch/rules-integrations.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const rule = INTEGRATION_RULES[0]!;

describe('watch rule integration_broken', () => {
  test('unknown without the facts, clear with none, one finding per endpoint and per CRM with its own key and fix', () => {
    expect(rule.evaluate(emptyFacts(NOW, 'local'), DEFAULT_LIMITS)).toBeNull();
    expect(rule.evaluate({ ...emptyFacts(NOW, 'local'), integrations: [] }, DEFAULT_LIMITS)).toEqual([]);
    const findings = rule.evaluate({
      ...emptyFacts(NOW, 'local'),
      integrations: [
        { slug: 'acme', kind: 'webhook', id: 3, detail: 'https://hooks.example.com/in: the receiver answered HTTP 503 after 16 attempts', since: NOW - 3_600_000 },
        { slug: 'acme', kind: 'amocrm', id: null, detail: 'amocrm leads/complex: HTTP 401 (Bearer abcdefghijklmnop0123 refused)', since: NOW - 60_000 },
        { slug: 'bright', kind: 'bitrix24', id: null, detail: null, since: null },
      ],
    }, DEFAULT_LIMITS)!;
    expect(findings.map((f) => f.key)).toEqual(['integration_broken:acme:webhook:3', 'integration_broken:acme:amocrm', 'integration_broken:bright:bitrix24']);
    expect(findings[0]!.summary).toBe('acme: webhook 3 is failing for 1h (https://hooks.example.com/in: the receiver answered HTTP 503 after 16 attempts); its events wait in the delivery log');
    expect(findings[0]!.fix).toContain('botctl integrations redeliver <id>');
    expect(findings[1]!.summary).not.toContain('abcdefghijklmnop0123');
    expect(findings[1]!.fix).toContain('botctl integrations amocrm acme --token <token>');
    expect(findings[2]!.fix).toContain('botctl integrations bitrix24 bright --webhook-url <url>');
  });
});
