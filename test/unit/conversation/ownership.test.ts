import { describe, expect, test } from 'vitest';
import { handoverStatusOf, nextState, OwnershipError, type OwnerState, type OwnershipEvent } from '../../../src/conversation/ownership.js';

const STATES: OwnerState[] = ['bot', 'waiting', 'human'];
const EVENTS: OwnershipEvent[] = ['escalate', 'take', 'release', 'reassign', 'resolve'];
const ALLOWED: Record<string, OwnerState> = {
  'bot escalate': 'waiting',
  'waiting take': 'human',
  'waiting resolve': 'bot',
  'human release': 'waiting',
  'human reassign': 'human',
  'human resolve': 'bot',
};

describe('ownership state machine', () => {
  for (const from of STATES) {
    for (const event of EVENTS) {
      const to = ALLOWED[`${from} ${event}`];
      test(`${from} --${event}--> ${to ?? 'refused'}`, () => {
        if (to) expect(nextState(from, event)).toBe(to);
        else expect(() => nextState(from, event)).toThrow(OwnershipError);
      });
    }
  }

  test('handover status mirrors the state', () => {
    expect(STATES.map(handoverStatusOf)).toEqual(['resolved', 'waiting', 'taken']);
  });
});
