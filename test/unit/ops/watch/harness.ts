import type { AlertSink } from '../../../../src/ops/watch/alert-sink.js';
import { DEFAULT_POLICY, emptyState, type Policy, type WatchState } from '../../../../src/ops/watch/engine.js';
import { emptyFacts, type Facts } from '../../../../src/ops/watch/facts.js';
import { DEFAULT_LIMITS, type Finding, type Rule } from '../../../../src/ops/watch/rule.js';
import { Watcher, type StateStore } from '../../../../src/ops/watch/watcher.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** Records what would have gone to the on-call chat, with the fake time it was sent. */
export class RecordingSink implements AlertSink {
  readonly messages: { at: number; text: string }[] = [];
  failing = false;

  constructor(private readonly clock: () => number) {}

  async send(text: string): Promise<void> {
    if (this.failing) throw new Error('Telegram is down');
    this.messages.push({ at: this.clock(), text });
  }
}

export class MemoryStore implements StateStore {
  state: WatchState = emptyState();
  load() {
    return { state: structuredClone(this.state), problem: null };
  }
  save(state: WatchState) {
    this.state = structuredClone(state);
  }
}

/** A rule whose findings a test sets directly: `conditions.get(id)` holds the subjects failing now (null = unknown). */
export function scriptedRule(id: string, forMs: number, conditions: Map<string, string[] | null>): Rule {
  return {
    id,
    title: `Rule ${id}`,
    forMs,
    evaluate(): Finding[] | null {
      const subjects = conditions.get(id);
      if (subjects === null) return null;
      return (subjects ?? []).map((s) => ({ key: `${id}:${s}`, subject: s, summary: `${s} is broken (${id})`, fix: `repair ${s} with botctl fix ${s}` }));
    },
  };
}

/** A watcher on a fake clock whose facts are irrelevant (scripted rules read `conditions`). */
export function fakeWatch(options: { rules: Rule[]; policy?: Partial<Policy>; store?: StateStore; start?: number } ) {
  let now = options.start ?? T0;
  const clock = () => now;
  const sink = new RecordingSink(clock);
  const store = options.store ?? new MemoryStore();
  const make = () => new Watcher({
    collect: async (): Promise<Facts> => emptyFacts(now, 'test cell'),
    sink, store, limits: DEFAULT_LIMITS, policy: { ...DEFAULT_POLICY, ...options.policy }, cell: 'test-cell', clock, rules: options.rules,
  });
  let watcher = make();
  return {
    sink,
    store,
    clock,
    get watcher() {
      return watcher;
    },
    /** A fresh Watcher on the same store: what a restart of `botctl watch` does. */
    restart() {
      watcher = make();
    },
    /** Ticks at 0, stepMs, … before durationMs, calling `before(t)` (ms since start) first; leaves the clock at durationMs. */
    async run(durationMs: number, stepMs: number, before: (elapsed: number) => void) {
      const start = now;
      for (let t = 0; t < durationMs; t += stepMs) {
        now = start + t;
        before(t);
        await watcher.tick();
      }
      now = start + durationMs;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}
