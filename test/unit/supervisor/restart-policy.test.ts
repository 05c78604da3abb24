import { describe, expect, test } from 'vitest';
import { backoffDelay, decideRestart, DEFAULT_RESTART_POLICY, NO_RESTARTS, policyProblem, type RestartPolicy, type RestartState } from '../../../src/supervisor/restart-policy.js';

const policy: RestartPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 300_000, stableAfterMs: 60_000 };

/** Feeds a run of exits (each after `uptimeMs`, `gapMs` apart) through decideRestart, as the supervisor does. */
function crashes(count: number, uptimeMs: number, p = policy) {
  let state: RestartState = NO_RESTARTS;
  let now = 1_000_000;
  const decisions = [];
  for (let i = 0; i < count; i++) {
    const decision = decideRestart(state, now, uptimeMs, p);
    decisions.push(decision);
    state = decision.state;
    now += uptimeMs + (decision.action === 'restart' ? decision.delayMs : 0);
  }
  return decisions;
}

describe('backoff between restarts', () => {
  test('the first restart comes within 2 s, then the delay doubles up to the cap', () => {
    expect(backoffDelay(1, DEFAULT_RESTART_POLICY)).toBeLessThanOrEqual(2000);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelay(10_000, policy)).toBe(30_000);
  });

  test('a child that ran longer than stableAfterMs starts the backoff over', () => {
    const first = decideRestart(NO_RESTARTS, 0, 100, policy);
    const second = decideRestart(first.state, 5000, 100, policy);
    expect(second).toMatchObject({ action: 'restart', delayMs: 2000 });
    const afterStableRun = decideRestart(second.state, 200_000, 120_000, policy);
    expect(afterStableRun).toMatchObject({ action: 'restart', delayMs: 1000 });
  });
});

describe('restart intensity', () => {
  test('a crash loop is restarted maxRestarts times, then the supervisor gives up', () => {
    const decisions = crashes(7, 50);
    expect(decisions.map((d) => d.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'restart', 'give-up', 'give-up']);
    expect(decisions[5]).toMatchObject({ action: 'give-up', restarts: 5 });
  });

  test('restarts older than the window are forgotten: occasional crashes never give up', () => {
    const decisions = crashes(50, 400_000);
    expect(decisions.every((d) => d.action === 'restart')).toBe(true);
    expect(decisions.at(-1)!.state.recent).toHaveLength(1);
  });

  test('the window counts restarts, not the time the child ran: 5 quick crashes inside 5 minutes give up on the 6th', () => {
    let state = NO_RESTARTS;
    for (const at of [0, 10_000, 20_000, 30_000, 40_000]) {
      const d = decideRestart(state, at, 2000, policy);
      expect(d.action).toBe('restart');
      state = d.state;
    }
    expect(decideRestart(state, 299_000, 2000, policy).action).toBe('give-up');
    // One minute later the first restart has left the window, so one more is allowed.
    expect(decideRestart(state, 301_000, 2000, policy).action).toBe('restart');
  });

  test('maxRestarts 1 allows exactly one restart', () => {
    const decisions = crashes(2, 10, { ...policy, maxRestarts: 1 });
    expect(decisions.map((d) => d.action)).toEqual(['restart', 'give-up']);
  });

  test('policies that cannot work are named', () => {
    expect(policyProblem(policy)).toBeNull();
    expect(policyProblem({ ...policy, initialDelayMs: 60_000 })).toMatch(/first restart delay/);
    expect(policyProblem({ ...policy, maxRestarts: 0 })).toMatch(/at least one restart/);
    expect(policyProblem({ ...policy, windowMs: 0 })).toMatch(/window/);
  });
});
