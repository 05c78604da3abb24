import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { StateFile } from '../../../../src/ops/watch/state-file.js';
import { fakeWatch, HOUR, MINUTE, scriptedRule, SECOND, T0 } from './harness.js';

const TICK = 30 * SECOND;

describe('alerting on a fake clock', () => {
  test('a 30-minute outage sends one firing message with the fix and one resolved message', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('worker', MINUTE, conditions)] });
    await w.run(10 * MINUTE, TICK, () => conditions.set('worker', []));
    await w.run(30 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    await w.run(60 * MINUTE, TICK, () => conditions.set('worker', []));

    const texts = w.sink.messages.map((m) => m.text);
    expect(texts.length).toBeLessThanOrEqual(3);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('1 firing');
    expect(texts[0]).toContain('api is broken');
    expect(texts[0]).toContain('What to do: repair api with botctl fix api');
    // Fired after holding for `for` (1m), not at the first failing tick.
    expect(w.sink.messages[0]!.at).toBe(T0 + 11 * MINUTE);
    expect(texts[1]).toContain('1 resolved');
    // Resolved only after clear-for (5m) of the condition being clear.
    expect(w.sink.messages[1]!.at).toBe(T0 + 45 * MINUTE);
  });

  test('the same outage with a 20-minute repeat sends at most one reminder', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('worker', MINUTE, conditions)], policy: { repeatMs: 20 * MINUTE } });
    await w.run(30 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    await w.run(30 * MINUTE, TICK, () => conditions.set('worker', []));
    const texts = w.sink.messages.map((m) => m.text);
    expect(texts).toHaveLength(3);
    expect(texts[1]).toContain('still firing since');
    expect(texts[2]).toContain('resolved');
  });

  test('a condition flapping every minute for an hour sends at most four messages, and says it is flapping', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('health', MINUTE, conditions)] });
    await w.run(60 * MINUTE, TICK, (t) => conditions.set('health', Math.floor(t / MINUTE) % 2 === 0 ? ['api'] : []));
    await w.run(60 * MINUTE, TICK, () => conditions.set('health', []));
    const texts = w.sink.messages.map((m) => m.text);
    expect(texts.length).toBeLessThanOrEqual(4);
    // It never held for its 1m `for`, yet on-call hears about it: it fired for coming back again and again.
    expect(texts[0]).toContain('keeps coming back (flapping)');
    expect(texts.at(-1)).toContain('resolved');
  });

  test.each([
    [0, 1, 1], [MINUTE, 1, 1], [2 * MINUTE, 1, 1], [5 * MINUTE, 1, 1],
    [MINUTE, 0.5, 0.5], [MINUTE, 1, 6], [MINUTE, 2, 7], [0, 1, 6], [5 * MINUTE, 6, 1], [MINUTE, 3, 3],
  ])('for=%ims, on %d min / off %d min for an hour: at most four messages', async (forMs, onMin, offMin) => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('flap', forMs, conditions)] });
    const period = (onMin + offMin) * MINUTE;
    await w.run(60 * MINUTE, TICK, (t) => conditions.set('flap', t % period < onMin * MINUTE ? ['x'] : []));
    await w.run(60 * MINUTE, TICK, () => conditions.set('flap', []));
    expect(w.sink.messages.length).toBeLessThanOrEqual(4);
    expect(w.sink.messages.length).toBeGreaterThan(0);
    expect(w.sink.messages.at(-1)!.text).toContain('resolved');
  });

  test('a condition shorter than its `for` (and not recurring) sends nothing', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('backlog', 2 * MINUTE, conditions)] });
    await w.run(90 * SECOND, TICK, () => conditions.set('backlog', ['queue']));
    await w.run(60 * MINUTE, TICK, () => conditions.set('backlog', []));
    expect(w.sink.messages).toEqual([]);
  });

  test('a long outage is repeated every `repeat`, then resolved once', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('disk', 0, conditions)] });
    await w.run(7 * HOUR, TICK, () => conditions.set('disk', ['data']));
    await w.run(HOUR, TICK, () => conditions.set('disk', []));
    const kinds = w.sink.messages.map((m) => (m.text.includes('resolved') ? 'resolved' : m.text.includes('still firing') ? 'repeat' : 'firing'));
    expect(kinds).toEqual(['firing', 'repeat', 'repeat', 'resolved']);
  });

  test('a second outage 5 minutes after the first one resolved pages within its rule\'s `for`, cooldown or not', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('worker', 2 * MINUTE, conditions)] });
    await w.run(10 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    await w.run(10 * MINUTE, TICK, () => conditions.set('worker', []));
    expect(w.sink.messages.map((m) => m.text.includes('resolved'))).toEqual([false, true]);
    const resolvedAt = w.sink.messages[1]!.at;
    await w.run(5 * MINUTE - (w.clock() - resolvedAt), TICK, () => conditions.set('worker', []));
    const backAt = w.clock();
    await w.run(20 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    expect(w.sink.messages).toHaveLength(3);
    // `for` (2m) plus one tick, and the 2-minute gap between messages: never the 30-minute cooldown.
    expect(w.sink.messages[2]!.at - backAt).toBeLessThanOrEqual(2 * MINUTE + TICK);
    expect(w.sink.messages[2]!.text).toContain('back again soon after it resolved');
  });

  test('flaps soon after "resolved" merge into one message after the cooldown; a flap that then holds past `for` pages at once', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('llm', 3 * MINUTE, conditions)] });
    await w.run(10 * MINUTE, TICK, () => conditions.set('llm', ['provider']));
    await w.run(10 * MINUTE, TICK, () => conditions.set('llm', []));
    expect(w.sink.messages).toHaveLength(2);
    // On for one minute, off for one: never holding for `for`, coming back again and again.
    await w.run(10 * MINUTE, TICK, (t) => conditions.set('llm', Math.floor(t / MINUTE) % 2 === 0 ? ['provider'] : []));
    expect(w.sink.messages).toHaveLength(2); // quiet: flaps inside the cooldown
    const holdsFrom = w.clock();
    await w.run(10 * MINUTE, TICK, () => conditions.set('llm', ['provider']));
    expect(w.sink.messages).toHaveLength(3);
    // A flapping alert is an outage once a run lasts max(for, clear-for) = 5m: long before the 30-minute cooldown ends.
    expect(w.sink.messages[2]!.at - holdsFrom).toBeLessThanOrEqual(5 * MINUTE + TICK);
  });

  test('alerts that fire together go out as one message, grouped per rule', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('tokens', 0, conditions), scriptedRule('chats', 0, conditions)] });
    await w.run(TICK, TICK, () => {
      conditions.set('tokens', ['acme', 'dental']);
      conditions.set('chats', ['acme']);
    });
    expect(w.sink.messages).toHaveLength(1);
    const text = w.sink.messages[0]!.text;
    expect(text).toContain('3 firing');
    expect(text).toContain('🔴 Rule tokens (2)');
    expect(text).toContain('🔴 Rule chats\n');
    expect(text).toContain('dental is broken');
  });

  test('10,000 tenants failing at once are one message under Telegram\'s 4096-character limit', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('tokens', 0, conditions)] });
    const slugs = Array.from({ length: 10_000 }, (_, i) => `tenant-${i}`);
    await w.run(TICK, TICK, () => conditions.set('tokens', slugs));
    expect(w.sink.messages).toHaveLength(1);
    expect(w.sink.messages[0]!.text.length).toBeLessThan(4096);
    expect(w.sink.messages[0]!.text).toContain('10000 firing');
    expect(w.sink.messages[0]!.text).toContain('… and 9995 more');
  });

  test('changes closer together than min-gap wait and go out together', async () => {
    const conditions = new Map<string, string[] | null>([['a', []], ['b', []]]);
    const w = fakeWatch({ rules: [scriptedRule('a', 0, conditions), scriptedRule('b', 0, conditions)] });
    await w.run(TICK, TICK, () => conditions.set('a', ['one']));
    await w.run(3 * MINUTE, TICK, (t) => conditions.set('b', t >= TICK ? ['two', 'three'] : []));
    expect(w.sink.messages).toHaveLength(2);
    expect(w.sink.messages[1]!.at - w.sink.messages[0]!.at).toBe(2 * MINUTE);
    expect(w.sink.messages[1]!.text).toContain('2 firing');
  });

  test('an undelivered alert is sent again on the next tick', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('dead', 0, conditions)] });
    w.sink.failing = true;
    await w.run(2 * TICK, TICK, () => conditions.set('dead', ['jobs']));
    expect(w.sink.messages).toEqual([]);
    w.sink.failing = false;
    await w.run(TICK, TICK, () => conditions.set('dead', ['jobs']));
    expect(w.sink.messages).toHaveLength(1);
    expect(w.sink.messages[0]!.text).toContain('jobs is broken');
  });

  test('unknown facts neither fire nor resolve an alert', async () => {
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('queue', 0, conditions)] });
    await w.run(TICK, TICK, () => conditions.set('queue', ['jobs']));
    await w.run(30 * MINUTE, TICK, () => conditions.set('queue', null));
    expect(w.sink.messages).toHaveLength(1);
    expect(w.watcher.state.alerts['queue:jobs']!.firing).toBe(true);
  });

  test('the state survives a restart: no second firing message, and the resolved message still comes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'botctl-watch-')), 'watch-state.json');
    const conditions = new Map<string, string[] | null>();
    const w = fakeWatch({ rules: [scriptedRule('worker', MINUTE, conditions)], store: new StateFile(path) });
    await w.run(5 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    expect(w.sink.messages).toHaveLength(1);
    w.restart();
    await w.run(10 * MINUTE, TICK, () => conditions.set('worker', ['api']));
    expect(w.sink.messages).toHaveLength(1);
    w.restart();
    await w.run(10 * MINUTE, TICK, () => conditions.set('worker', []));
    expect(w.sink.messages).toHaveLength(2);
    expect(w.sink.messages[1]!.text).toContain('resolved');
  });
});
