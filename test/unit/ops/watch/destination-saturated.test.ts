import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../../../src/ops/watch/engine.js';
import { emptyFacts, type Facts } from '../../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS } from '../../../../src/ops/watch/rule.js';
import { RULES } from '../../../../src/ops/watch/rules.js';
import { Watcher } from '../../../../src/ops/watch/watcher.js';
import type { DestinationRow } from '../../../../src/storage/ops-store.js';
import { MemoryStore, MINUTE, RecordingSink, SECOND, T0 } from './harness.js';

const GROUP = 'tg:group:-1001000000101';

/** `botctl watch` over facts a test scripts: the destinations waiting for their budget at each tick. */
function watchOver(saturatedAt: (now: number) => DestinationRow[]) {
  let now = T0;
  const clock = () => now;
  const sink = new RecordingSink(clock);
  const watcher = new Watcher({
    collect: async (): Promise<Facts> => ({ ...emptyFacts(now, 'local /var/lib/botctl'), saturated: saturatedAt(now) }),
    sink, store: new MemoryStore(), limits: DEFAULT_LIMITS, policy: DEFAULT_POLICY, cell: 'test-cell', clock,
    rules: RULES.filter((r) => r.id === 'destination_saturated'),
  });
  return {
    sink,
    async run(untilMs: number) {
      for (; now < T0 + untilMs; now += 30 * SECOND) await watcher.tick();
    },
  };
}

describe('botctl watch: a tenant\'s group or number saturated for minutes', () => {
  test('alerts once when the backlog has waited past the limit, names the tenant and the fix, and clears once', async () => {
    // A burst at T0 + 1 min keeps the group's budget busy for 10 minutes; a number's short queue never alerts.
    const burst = { start: T0 + MINUTE, end: T0 + 11 * MINUTE };
    const w = watchOver((now) => [
      ...(now >= burst.start && now < burst.end ? [{ key: GROUP, waiting: 80, waitingSince: burst.start, tenant: 'rush' }] : []),
      { key: 'wa:number:4', waiting: 3, waitingSince: now - 5 * SECOND, tenant: 'calm' },
    ]);
    await w.run(30 * MINUTE);
    const texts = w.sink.messages.map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('rush: Telegram group -1001000000101 is saturated: 80 jobs waiting for its rate limit');
    expect(texts[0]).toContain("digest");
    expect(w.sink.messages[0]!.at).toBeGreaterThanOrEqual(burst.start + DEFAULT_LIMITS.saturatedMs);
    expect(w.sink.messages[0]!.at).toBeLessThan(burst.start + DEFAULT_LIMITS.saturatedMs + MINUTE);
    expect(texts[1]).toContain('resolved');
    expect(w.sink.messages[1]!.at).toBeGreaterThan(burst.end);
    expect(texts.join('\n')).not.toContain('calm');
  });
});
